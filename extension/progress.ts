import * as vscode from 'vscode';

/**
 * Runs `task` and shows a cancellable progress notification only if it takes
 * longer than `delayMs`, so that quick engine calls do not flash a toast.
 * The task may `report` what it is doing; the notification shows the latest.
 */
export async function withDelayedProgress<T>(
  title: string,
  delayMs: number,
  task: (token: vscode.CancellationToken, report: (message: string) => void) => Promise<T>,
  outerToken?: vscode.CancellationToken,
): Promise<T> {
  const source = new vscode.CancellationTokenSource();
  const forward = outerToken?.onCancellationRequested(() => source.cancel());
  let latest: string | undefined;
  let shown: vscode.Progress<{ message?: string }> | undefined;
  const report = (message: string): void => {
    latest = message;
    shown?.report({ message });
  };
  const work = task(source.token, report);
  let settled = false;
  const timer = setTimeout(() => {
    if (settled) return;
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title, cancellable: true },
      (progress, token) => {
        shown = progress;
        if (latest) progress.report({ message: latest });
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
