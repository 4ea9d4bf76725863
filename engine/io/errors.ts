/**
 * The one error type every reader in `engine/io` throws for a bad file. It
 * carries the file name (and, for text files, the line) so that callers can
 * show it as a diagnostic on the right file without parsing the message.
 */
export class IoError extends Error {
  /** The problem alone, without the "file:line: " prefix. */
  readonly detail: string;

  constructor(
    readonly fileName: string,
    detail: string,
    readonly line?: number,
  ) {
    super(line === undefined ? `${fileName}: ${detail}` : `${fileName}:${line}: ${detail}`);
    this.name = 'IoError';
    this.detail = detail;
  }
}
