import * as vscode from 'vscode';

/**
 * Tracks the engine jobs that are running (inspections now, trainings later)
 * so that "Weightscope: Stop" can cancel them, and keeps the context key
 * `weightscope.running` true while any runs (it enables the Stop command).
 */
export class JobRunner implements vscode.Disposable {
  private readonly running = new Map<number, { label: string; source: vscode.CancellationTokenSource }>();
  private nextId = 1;

  async run<T>(label: string, task: (token: vscode.CancellationToken) => Promise<T>, outer?: vscode.CancellationToken): Promise<T> {
    const id = this.nextId++;
    const source = new vscode.CancellationTokenSource();
    const forward = outer?.onCancellationRequested(() => source.cancel());
    this.running.set(id, { label, source });
    this.updateContext();
    try {
      return await task(source.token);
    } finally {
      forward?.dispose();
      this.running.delete(id);
      source.dispose();
      this.updateContext();
    }
  }

  get count(): number {
    return this.running.size;
  }

  /** Cancels every running job; returns how many there were. */
  stopAll(): number {
    const n = this.running.size;
    for (const job of this.running.values()) job.source.cancel();
    return n;
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', 'weightscope.running', this.running.size > 0);
  }

  dispose(): void {
    this.stopAll();
  }
}
