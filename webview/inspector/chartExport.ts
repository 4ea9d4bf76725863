import type { ExportRequest } from '../../protocol/messages';
import { ce, h } from '../dom';
import { exportBase64, exportText, svgText, svgToPngBase64 } from './exporting';

/** Makes the "SVG" / "PNG" buttons under a chart; `name` becomes the suggested file name. */
export type ChartExporter = (chart: SVGElement, name: string) => HTMLElement;

export function chartExporter(send: (request: ExportRequest) => void, onError: (message: string) => void): ChartExporter {
  return (chart, name) => {
    const file = name.replace(/[^\w.-]+/g, '_');
    const svg = ce('vscode-button', { secondary: true, title: `Save this chart as SVG (${file}.svg)` }, 'SVG');
    svg.addEventListener('click', () => send(exportText(`${file}.svg`, svgText(chart))));
    const png = ce('vscode-button', { secondary: true, title: `Save this chart as PNG (${file}.png)` }, 'PNG');
    png.addEventListener('click', () => {
      svgToPngBase64(chart).then((data) => send(exportBase64(`${file}.png`, data)), (err: Error) => onError(err.message));
    });
    return h('div', { class: 'export', role: 'group', 'aria-label': `Export ${name}` }, svg, png);
  };
}
