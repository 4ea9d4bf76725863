import type { ModelOverview } from '../../protocol/messages';
import { h } from '../dom';
import { formatCount } from '../format';
import { isNested, moduleTreeElement } from '../moduleTree';

/**
 * The model's structure in the side panel: a chain of layers as a numbered
 * list (with each layer's arguments), a model with modules inside modules as
 * its collapsible module tree, each module with its class and parameter count.
 */
export function structure(o: ModelOverview): HTMLElement {
  if (o.modules && isNested(o.modules)) {
    return h('section', { class: 'modules', 'aria-label': 'Modules' },
      h('h3', {}, 'Modules'),
      moduleTreeElement(o.modules, { rootLabel: o.model.name, expandDepth: 2, label: `Modules of ${o.model.name}` }));
  }
  return h('ol', { class: 'layers', 'aria-label': 'Layers' }, ...o.layers.map((l) =>
    h('li', {}, h('code', {}, l.label), l.parameters ? h('span', { class: 'count' }, ` ${formatCount(l.parameters)}`) : null)));
}
