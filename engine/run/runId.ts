/** Run ids, and the order runs are listed in. */
import type { RunMeta } from './format';

/**
 * A run id that sorts by time: 2026-11-27T14-30-15-123Z, the model's name
 * (at most 24 of its letters, digits and dashes) and, for the runs of one
 * comparison, which share the time, the variant's index after the cut, so
 * that a long name cannot make two variants' ids equal.
 */
export function newRunId(now: Date, name: string, variant?: number): string {
  const id = `${now.toISOString().replace(/[:.]/g, '-')}-${name.replace(/[^a-zA-Z0-9-]/g, '').slice(0, 24)}`;
  return variant === undefined ? id : `${id}-${variant}`;
}

/**
 * Whether `id` can name a run's folder: exactly one path segment inside the
 * runs folder. Ids come from run.json files, which may be shared or hostile:
 * `../../projects` would make Delete Run remove a sibling of the runs folder.
 * So no separators of any platform, no `.` or `..`, no control characters,
 * and nothing Windows reads differently from how it is written (a drive or
 * stream colon, reserved characters, trailing dots and spaces it strips,
 * device names such as NUL).
 */
export function isPlainRunId(id: string): boolean {
  if (typeof id !== 'string' || id.length === 0 || id.length > 255) return false;
  if (id === '.' || id === '..') return false;
  if (/[/\\:*?"<>|\u0000-\u001f\u007f]/.test(id)) return false;
  if (/[. ]$/.test(id)) return false;
  return !/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i.test(id);
}

/**
 * The order runs are listed in: newest first, and the runs of one comparison
 * (one createdAt) in the order their variants were started, by the index
 * that ends their ids (-2 before -10). Never the order a directory lists
 * its entries in, which is no order at all.
 */
export function compareRuns(a: Pick<RunMeta, 'createdAt' | 'id'>, b: Pick<RunMeta, 'createdAt' | 'id'>): number {
  return b.createdAt.localeCompare(a.createdAt) || a.id.localeCompare(b.id, 'en', { numeric: true });
}
