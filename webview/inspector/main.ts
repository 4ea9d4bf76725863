/**
 * The inspector webview: receives an initialization inspection from the
 * extension host and shows, per parameter tensor, the sampled histogram
 * against the initializer's theory and a theory-versus-sample table.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-ring/index.js';
import type { HostToInspector, InspectorState, InspectorToHost } from '../../protocol/messages';
import { vscodeApi } from '../vscodeApi';
import { renderError, renderInspection, renderLoading } from './render';

const vscode = vscodeApi<InspectorState, InspectorToHost>();
const app = document.getElementById('app')!;

function show(message: HostToInspector): void {
  vscode.setState({ ...vscode.getState(), model: message.model ?? vscode.getState()?.model ?? { uri: '', name: '' } });
  switch (message.type) {
    case 'loading':
      app.replaceChildren(renderLoading(message.model));
      break;
    case 'initInspection':
      app.replaceChildren(renderInspection(message.model, message.inspection, {
        refresh: () => vscode.postMessage({ type: 'refresh' }),
        openSource: () => vscode.postMessage({ type: 'openSource' }),
      }));
      app.dataset.state = 'ready';
      return;
    case 'error':
      app.replaceChildren(renderError(message.message, () => vscode.postMessage({ type: 'refresh' })));
      break;
  }
  app.dataset.state = message.type;
}

window.addEventListener('message', (event: MessageEvent<HostToInspector>) => show(event.data));
vscode.postMessage({ type: 'ready' });
