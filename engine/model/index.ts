/** Model files: text → located tree → `ModelSpec` with diagnostics on exact ranges. */
import { decodeModel, type DecodeOptions, type DecodeResult } from './decode';
import { languageOfPath, parseLocated, type SourceLanguage, type SourceRange } from './located';
import type { ModelDiagnostic } from './diagnostic';
import { initScaleLint } from '../inspect/scaleLint';
import { lintModel } from './lints';

export * from './spec';
export { parameterCount, parameterShapes, modelTree, modelTensors } from './moduleTree';
export type { ModelDiagnostic, Severity } from './diagnostic';
export type { SourceRange, SourceLanguage } from './located';
export type { QuickFix, TextEdit } from './edits';
export { languageOfPath } from './located';
export type { DecodeOptions, DecodeResult } from './decode';

/** Parses a model file's text; never throws. */
export function parseModelText(text: string, language: SourceLanguage, defaultName: string, options: DecodeOptions = {}): DecodeResult {
  const result = parseUnclamped(text, language, defaultName, options);
  // Parsers report some problems (an unexpected end of input) just past the
  // last character; every consumer wants ranges inside the text.
  for (const d of result.diagnostics) d.range = clampRange(d.range, text.length);
  return result;
}

function parseUnclamped(text: string, language: SourceLanguage, defaultName: string, options: DecodeOptions): DecodeResult {
  const doc = parseLocated(text, language);
  const syntax: ModelDiagnostic[] = doc.syntaxProblems.map((p) => ({ severity: 'error', code: 'syntax', message: p.message, range: p.range }));
  if (syntax.length > 0 && !doc.root) return { spec: undefined, diagnostics: syntax, tree: undefined };
  const decoded = decodeModel(doc.root, defaultName, options);
  if (syntax.length === 0) {
    if (decoded.spec && doc.root) decoded.diagnostics.push(...lintModel({ spec: decoded.spec, tree: doc.root, text, language }, [initScaleLint]));
    return decoded;
  }
  return { spec: undefined, diagnostics: [...syntax, ...decoded.diagnostics], tree: decoded.tree };
}

function clampRange(range: SourceRange, length: number): SourceRange {
  const start = Math.min(Math.max(0, range.start), length);
  return { start, end: Math.min(Math.max(start, range.end), length) };
}

/** The model's default name from its path: `simple-model.nn.json` → `simple-model`. */
export function modelNameFromPath(path: string): string {
  const base = path.split(/[\\/]/).pop() ?? path;
  return base.replace(/\.nn\.(json|ya?ml)$/i, '');
}

export function parseModelFile(path: string, text: string, options: DecodeOptions = {}): DecodeResult {
  const result = parseModelText(text, languageOfPath(path), modelNameFromPath(path), options);
  result.diagnostics.sort((a, b) => a.range.start - b.range.start);
  return result;
}
