/**
 * Which files a model file may make Weightscope read. A model file is
 * untrusted input (it may come with a cloned repository), so every path it
 * names (`data`, `init_from`, the NPY maps, the same keys in `# weightscope:`
 * comments) must lead, after following every symbolic link, to a regular file
 * inside one of the allowed folders: the workspace folder holding the model in
 * the editor; the model file's folder or the current directory on the command
 * line. Anything else is refused before a byte is read, with where the path
 * leads and why.
 *
 * The engine touches no file system: the host passes the few calls needed
 * (`ConfinedFs`): Node's `fs` in the CLI, `vscode.workspace.fs` (plus Node's
 * `realpath` for `file:` folders) in the extension.
 */

/** Largest data or checkpoint file read at all (checked with `stat` before reading). */
export const MAX_RESOURCE_BYTES = 128 * 1024 * 1024;

/** Why a path was not read; `code` is the diagnostic's code. */
export type RefusalCode = 'path-outside' | 'not-a-file' | 'file-too-large' | 'missing-file';

export class PathRefused extends Error {
  constructor(readonly code: RefusalCode, message: string) {
    super(message);
    this.name = 'PathRefused';
  }
}

export interface FileStat {
  /** A regular file (not a folder, device, FIFO or socket). */
  file: boolean;
  size: number;
}

/** The file system calls a confined read needs, supplied by the host. Paths are the host's absolute paths. */
export interface ConfinedFs {
  /** `relative` against `folder` (absolute `relative` stays as it is), normalized. */
  resolve(folder: string, relative: string): string;
  /** The path with every link followed; rejects (with a `code` of 'ENOENT' for a missing file) when it cannot. */
  realpath(path: string): Promise<string>;
  stat(path: string): Promise<FileStat>;
  read(path: string): Promise<Uint8Array>;
  /** The path separator ('/' or '\\'). */
  sep: string;
}

/** Whether `path` is `root` or below it; both already resolved through links. */
export function isInside(path: string, root: string, sep: string): boolean {
  if (path === root) return true;
  const prefix = root.endsWith(sep) ? root : root + sep;
  return path.startsWith(prefix);
}

export interface Confinement {
  /** Folders the files must be inside (resolved through links by `confinedRead`); 'anywhere' when the user allowed any path. */
  roots: readonly string[] | 'anywhere';
  /** How the roots are described in a refusal: "the workspace folder", "the model's folder or the current directory". */
  rootsDescription: string;
  /** How the user may allow the path anyway, for the message. */
  override?: string;
  maxBytes?: number;
}

/**
 * The bytes of `relative` (as the model file names it, relative to `folder`), or a `PathRefused`
 * saying where it leads and why it is not read. Nothing is read from a refused path.
 */
export async function confinedRead(fs: ConfinedFs, folder: string, relative: string, confinement: Confinement): Promise<Uint8Array> {
  const target = fs.resolve(folder, relative);
  const roots = confinement.roots === 'anywhere' ? undefined : await allowedRoots(fs, confinement.roots);
  const refuse = (where: string): never => {
    const hint = confinement.override ? ` (${confinement.override})` : '';
    throw new PathRefused('path-outside', `"${relative}" ${where}, outside ${confinement.rootsDescription}: a model file may name only files inside, so it is not read${hint}.`);
  };
  // Outside as written: refused before the file system is asked anything about it (not even whether it exists).
  if (roots && !roots.some((root) => isInside(target, root, fs.sep))) refuse(`leads to ${target}`);
  const real = await realpathOrRefuse(fs, target, relative);
  if (roots && !roots.some((root) => isInside(real, root, fs.sep))) refuse(real === target ? `leads to ${real}` : `leads (through a link) to ${real}`);
  const stat = await fs.stat(real);
  if (!stat.file) throw new PathRefused('not-a-file', `"${relative}" is not a regular file (a folder, device or pipe): it is not read.`);
  const max = confinement.maxBytes ?? MAX_RESOURCE_BYTES;
  if (stat.size > max) {
    throw new PathRefused('file-too-large', `"${relative}" is ${megabytes(stat.size)}, over the ${megabytes(max)} limit for a data or weights file: it is not read.`);
  }
  const bytes = await fs.read(real);
  // The file may have grown between stat and read.
  if (bytes.length > max) throw new PathRefused('file-too-large', `"${relative}" is over the ${megabytes(max)} limit for a data or weights file.`);
  return bytes;
}

/** Each root as given and resolved through links (a workspace under a linked folder is inside both ways). */
async function allowedRoots(fs: ConfinedFs, roots: readonly string[]): Promise<string[]> {
  const real = await Promise.all(roots.map((r) => fs.realpath(r).catch(() => r)));
  return [...new Set([...roots, ...real])];
}

async function realpathOrRefuse(fs: ConfinedFs, target: string, relative: string): Promise<string> {
  try {
    return await fs.realpath(target);
  } catch (err) {
    if (err instanceof PathRefused) throw err;
    const code = (err as { code?: unknown }).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new PathRefused('missing-file', `Cannot read "${relative}": no such file.`);
    if (code === 'ELOOP') throw new PathRefused('not-a-file', `"${relative}" is a loop of links: it is not read.`);
    throw new PathRefused('missing-file', `Cannot read "${relative}": ${typeof code === 'string' ? code : String(err)}.`);
  }
}

export function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}
