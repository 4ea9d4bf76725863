/**
 * What the targets of a loaded dataset are for, which decides how they are
 * read: real values (regression), 0/1 values (binary, for BCE losses), or
 * class indices (classes, for CrossEntropyLoss).
 */
export type DatasetTask = 'regression' | 'binary' | 'classes';

/** "a→0, b→1", cut short for many classes (the description is one line in the UI). */
export function describeMapping(labels: readonly string[], limit = 20): string {
  const shown = labels.slice(0, limit).map((label, i) => `${label}→${i}`);
  if (labels.length > limit) shown.push(`… (${labels.length} in all)`);
  return shown.join(', ');
}
