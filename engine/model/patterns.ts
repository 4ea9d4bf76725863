/**
 * Glob patterns over parameter names: `*` matches any run of characters
 * (dots included, so `*.bias` matches `encoder.0.bias`), `?` one character.
 */
export function globToRegExp(pattern: string): RegExp {
  let re = compiled.get(pattern);
  if (!re) {
    re = compile(pattern);
    // Patterns come from model files: few and short. The cap only guards against a runaway caller.
    if (compiled.size > 10_000) compiled.clear();
    compiled.set(pattern, re);
  }
  return re;
}

const compiled = new Map<string, RegExp>();

function compile(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

export function matchesAny(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => globToRegExp(p).test(name));
}
