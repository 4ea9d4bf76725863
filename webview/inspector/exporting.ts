/**
 * Exports from the inspector: a chart as SVG or PNG, and a self-contained
 * HTML report. Charts are styled by the theme's CSS variables, which mean
 * nothing outside VS Code, so an exported chart carries its resolved colors
 * inline. The webview cannot write files: it hands the content to the
 * extension host, which asks where to save it.
 */
import type { ExportRequest } from '../../protocol/messages';

/** Presentation properties copied from the live chart onto the exported copy. */
const INLINED = ['fill', 'fill-opacity', 'stroke', 'stroke-width', 'stroke-dasharray', 'stroke-opacity', 'opacity', 'font-size', 'font-family', 'paint-order'] as const;

/** A standalone copy of an SVG chart, with the theme's colors and fonts resolved inline. */
export function standaloneSvg(svg: SVGElement): SVGElement {
  const copy = svg.cloneNode(true) as SVGElement;
  const live = [svg, ...svg.querySelectorAll('*')];
  const cloned = [copy, ...copy.querySelectorAll('*')];
  live.forEach((el, i) => {
    const style = getComputedStyle(el);
    const target = cloned[i] as SVGElement;
    for (const p of INLINED) {
      const v = style.getPropertyValue(p);
      if (v) target.style.setProperty(p, v);
    }
  });
  copy.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  const background = getComputedStyle(document.body).getPropertyValue('--vscode-editor-background').trim();
  if (background) copy.style.setProperty('background', background);
  return copy;
}

export function svgText(svg: SVGElement): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(standaloneSvg(svg))}\n`;
}

/** The chart rasterized at `scale`× on the editor's background, as base64 PNG. */
export async function svgToPngBase64(svg: SVGElement, scale = 2): Promise<string> {
  const width = Number(svg.getAttribute('width'));
  const height = Number(svg.getAttribute('height'));
  const image = new Image();
  const loaded = new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = () => reject(new Error('the chart could not be rasterized'));
  });
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText(svg))}`;
  await loaded;
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(width * scale);
  canvas.height = Math.round(height * scale);
  const g = canvas.getContext('2d')!;
  g.fillStyle = getComputedStyle(document.body).getPropertyValue('--vscode-editor-background').trim() || '#ffffff';
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.drawImage(image, 0, 0, canvas.width, canvas.height);
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}

/**
 * A self-contained HTML report of what the inspector shows: the given
 * sections' markup, charts with inline styles, tables unfolded, the page's
 * resolved theme colors, and no script.
 */
const escape = (t: string): string => t.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

export function htmlReport(title: string, sections: { heading: string; element: HTMLElement }[]): string {
  const body = sections.map(({ heading, element }) => {
    const copy = element.cloneNode(true) as HTMLElement;
    const liveCharts = element.querySelectorAll('svg');
    copy.querySelectorAll('svg').forEach((svg, i) => svg.replaceWith(standaloneSvg(liveCharts[i]!)));
    // Legend swatches are coloured by theme classes too.
    const liveSwatches = element.querySelectorAll<HTMLElement>('.swatch');
    copy.querySelectorAll<HTMLElement>('.swatch').forEach((swatch, i) => {
      const style = getComputedStyle(liveSwatches[i]!);
      for (const p of ['display', 'width', 'height', 'background-color', 'border-top', 'vertical-align', 'margin-right']) swatch.style.setProperty(p, style.getPropertyValue(p));
    });
    copy.querySelectorAll('details').forEach((d) => d.setAttribute('open', ''));
    copy.querySelectorAll('vscode-button, vscode-single-select, vscode-textfield, vscode-tree, .toolbar, .export, .module-pane, .filter-bar, .hint').forEach((el) => el.remove());
    // The Weights tab's table lists every tensor in the report, whatever the filter.
    copy.querySelectorAll('tr[data-name][hidden], table.tensors[hidden]').forEach((el) => el.removeAttribute('hidden'));
    return `<section><h2>${escape(heading)}</h2>\n${copy.innerHTML}</section>`;
  }).join('\n');
  const css = (name: string, fallback: string): string => getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8"><title>${escape(title)}</title>
<style>
body { font-family: ${css('--vscode-font-family', 'sans-serif')}; color: ${css('--vscode-foreground', '#222')}; background: ${css('--vscode-editor-background', '#fff')}; margin: 24px; }
table { border-collapse: collapse; margin: 8px 0 16px; } th, td { padding: 2px 8px; text-align: right; border-bottom: 1px solid #8884; } th[scope=row] { text-align: left; }
caption { text-align: left; font-weight: 600; padding: 4px 0; } code { font-family: ${css('--vscode-editor-font-family', 'monospace')}; }
summary { display: none; } section { margin-bottom: 24px; }
</style></head>
<body><h1>${escape(title)}</h1>
<p>Exported from Weightscope on ${new Date().toISOString().slice(0, 10)}.</p>
${body}
</body></html>
`;
}

export function exportText(fileName: string, content: string): ExportRequest {
  return { type: 'export', fileName, content, encoding: 'utf8' };
}

export function exportBase64(fileName: string, content: string): ExportRequest {
  return { type: 'export', fileName, content, encoding: 'base64' };
}
