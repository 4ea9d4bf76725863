/** The typed handle on the webview's host API (`acquireVsCodeApi` may be called once per page). */
interface VsCodeApi<State, Outgoing> {
  postMessage(message: Outgoing): void;
  getState(): State | undefined;
  setState(state: State): void;
}

declare function acquireVsCodeApi<State, Outgoing>(): VsCodeApi<State, Outgoing>;

export function vscodeApi<State, Outgoing>(): VsCodeApi<State, Outgoing> {
  return acquireVsCodeApi<State, Outgoing>();
}
