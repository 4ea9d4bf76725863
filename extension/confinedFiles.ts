/**
 * The files a model file names, read through `vscode.workspace.fs` and confined by engine/io/confine.ts to the
 * workspace folder that holds the model (its own folder when it is in none). On disk (`file:`), links are
 * followed with Node's `realpath`, so a link that leads out of the folder is refused; in a virtual workspace,
 * where links cannot be followed, a link is refused.
 */
import { realpath } from 'node:fs/promises';
import path from 'node:path';
import * as vscode from 'vscode';
import { confinedRead, PathRefused, type ConfinedFs, type Confinement } from '../engine/io/confine';

/** Reads `relative` to the model `model` (a URI), confined to its workspace folder. */
export function confinedReader(model: vscode.Uri): (relative: string) => Promise<Uint8Array> {
  const folder = vscode.workspace.getWorkspaceFolder(model);
  const onDisk = model.scheme === 'file';
  const fs = onDisk ? diskFs() : virtualFs(model);
  const modelFolder = onDisk ? path.dirname(model.fsPath) : path.posix.dirname(model.path);
  const root = folder ? (onDisk ? folder.uri.fsPath : folder.uri.path) : modelFolder;
  const confinement: Confinement = { roots: [root], rootsDescription: folder ? `the workspace folder ${folder.name}` : "the model file's folder" };
  return (relative) => confinedRead(fs, modelFolder, relative, confinement);
}

async function stat(uri: vscode.Uri): Promise<{ file: boolean; size: number }> {
  const s = await vscode.workspace.fs.stat(uri);
  return { file: (s.type & vscode.FileType.File) !== 0, size: s.size };
}

function diskFs(): ConfinedFs {
  return {
    resolve: (folder, relative) => path.resolve(folder, relative),
    realpath: (p) => realpath(p),
    stat: (p) => stat(vscode.Uri.file(p)),
    read: async (p) => await vscode.workspace.fs.readFile(vscode.Uri.file(p)),
    sep: path.sep,
  };
}

/** Paths are the URI's (POSIX) paths in the model's scheme and authority. */
function virtualFs(model: vscode.Uri): ConfinedFs {
  const uri = (p: string): vscode.Uri => model.with({ path: p, query: '', fragment: '' });
  return {
    resolve: (folder, relative) => path.posix.resolve(folder, relative),
    realpath: async (p) => {
      let s: vscode.FileStat;
      try {
        s = await vscode.workspace.fs.stat(uri(p));
      } catch (err) {
        throw Object.assign(new Error('no such file'), { code: err instanceof vscode.FileSystemError && err.code === 'FileNotFound' ? 'ENOENT' : 'EIO' });
      }
      if (s.type & vscode.FileType.SymbolicLink) throw new PathRefused('path-outside', `"${p}" is a link, which cannot be followed in this workspace: it is not read.`);
      return p;
    },
    stat: (p) => stat(uri(p)),
    read: async (p) => await vscode.workspace.fs.readFile(uri(p)),
    sep: '/',
  };
}
