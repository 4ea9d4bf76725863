/**
 * Glob patterns over parameter names: `*` matches any run of characters
 * (dots included, so `*.bias` matches `encoder.0.bias`), `?` one character;
 * every other character stands for itself.
 *
 * Patterns come from workspace files, which may be hostile. Translated into a
 * regular expression, `*a*a*a*a*a*a*a*a*c` against a 40-character name made the
 * backtracking engine try every way of splitting the name between the stars
 * (seconds to minutes, in the extension host). Here a mismatch only returns to
 * the most recent `*` and lets it take one more character: a later star can
 * always absorb whatever an earlier one would have, so no older choice needs
 * revisiting, and a test costs at most (pattern length × name length) steps.
 */
export interface NameMatcher {
  test(name: string): boolean;
}

export function globMatcher(pattern: string): NameMatcher {
  return { test: (name) => globMatches(pattern, name) };
}

export function globMatches(pattern: string, name: string): boolean {
  let p = 0;
  let n = 0;
  let star = -1; // pattern index of the latest `*`, or -1 before the first
  let starEnd = 0; // name index up to which that `*` currently extends
  while (n < name.length) {
    const c = pattern[p];
    if (c === '*') {
      star = p++;
      starEnd = n;
    } else if (c !== undefined && (c === '?' || c === name[n])) {
      p++;
      n++;
    } else if (star >= 0) {
      p = star + 1;
      n = ++starEnd;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

export function matchesAny(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => globMatches(p, name));
}
