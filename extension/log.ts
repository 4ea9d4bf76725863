import * as vscode from 'vscode';

/**
 * The one logger of the extension: a `LogOutputChannel` named "Weightscope"
 * (the user picks its level with "Developer: Set Log Level…").
 */
export class Log implements vscode.Disposable {
  private readonly channel = vscode.window.createOutputChannel('Weightscope', { log: true });

  trace(message: string, ...args: unknown[]): void {
    this.channel.trace(message, ...args);
  }
  debug(message: string, ...args: unknown[]): void {
    this.channel.debug(message, ...args);
  }
  info(message: string, ...args: unknown[]): void {
    this.channel.info(message, ...args);
  }
  warn(message: string, ...args: unknown[]): void {
    this.channel.warn(message, ...args);
  }
  error(message: string | Error, ...args: unknown[]): void {
    this.channel.error(message, ...args);
  }
  show(): void {
    this.channel.show(true);
  }
  dispose(): void {
    this.channel.dispose();
  }
}
