import type { QuickFix } from './edits';
import type { SourceRange } from './located';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/**
 * A problem in a model file. `code` is stable (documented in the README and
 * used by quick fixes and by `weightscope check` output); `message` states the
 * problem and, for lints, its consequence in numbers.
 */
export interface ModelDiagnostic {
  severity: Severity;
  code: string;
  message: string;
  range: SourceRange;
  /** Quick fixes, as text edits on the file. */
  fixes?: QuickFix[];
}
