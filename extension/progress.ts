import * as vscode from 'vscode';

/**
 * Runs `task` and shows a cancellable progress notification only if it takes
 * longer than `delayMs`, so that quick engine calls do not flash a toast.
 */
export async function withDelayedProgress<T>(
  title: string,
  delayMs: number,
  task: (token: vscode.CancellationToken) => Promise<T>,
  outerToken?: vscode.CancellationToken,
): Promise<T> {
  const source = new vscode.CancellationTokenSource();
  const forward = outerToken?.onCancellationRequested(() => source.cancel());
  const work = task(source.token);
  let settled = false;
  const timer = setTimeout(() => {
    if (settled) return;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (_progress, token) => {
        token.onCancellationRequested(() => source.cancel());
        return work.catch(() => undefined);
      },
    );
  }, delayMs);
  try {
    return await work;
  } finally {
    settled = true;
    clearTimeout(timer);
    forward?.dispose();
    source.dispose();
  }
}
