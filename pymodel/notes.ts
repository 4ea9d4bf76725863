/**
 * What the Python front end tells the user besides the model decoder's
 * diagnostics: Information diagnostics that name a construct it did not read
 * and what it assumed instead (`py-not-modelled`), or why a class or
 * Sequential cannot be modelled at all (`py-cannot-model`).
 */
import type { ModelDiagnostic } from '../engine/model/diagnostic';
import type { SourceRange } from '../engine/model/located';
import type { SyntaxNode } from './parser';
import { rangeOf } from './syntax';

export const NOT_MODELLED = 'py-not-modelled';
export const CANNOT_MODEL = 'py-cannot-model';
/** A module the reader could not build, left out of the model with its parameters: the inspection is incomplete. */
export const LEFT_OUT = 'py-left-out';
/** Why a model Inspect shows cannot be trained or measured (its forward pass is not one the engine runs). */
export const NO_FORWARD = 'py-no-forward';

export class Notes {
  readonly items: ModelDiagnostic[] = [];
  /** Reasons the model cannot be resolved (each also an item). */
  blockers = 0;

  /** A construct outside the subset, and what Weightscope assumed instead. */
  assume(where: SyntaxNode | SourceRange, construct: string, assumption: string): void {
    this.items.push({ severity: 'information', code: NOT_MODELLED, message: `${construct}: not read by Weightscope. ${assumption}`, range: toRange(where) });
  }

  /** A module left out of the model (with its parameters), and why. */
  omit(where: SyntaxNode | SourceRange, construct: string, why: string): void {
    this.items.push({ severity: 'information', code: LEFT_OUT, message: `${construct}: ${why} Weightscope left it out of the model, with its parameters.`, range: toRange(where) });
  }

  /** Something that stops the model from being resolved. */
  block(where: SyntaxNode | SourceRange, message: string): void {
    this.blockers++;
    this.items.push({ severity: 'information', code: CANNOT_MODEL, message, range: toRange(where) });
  }
}

function toRange(where: SyntaxNode | SourceRange): SourceRange {
  return 'startIndex' in where ? rangeOf(where) : where;
}
