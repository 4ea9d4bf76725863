import { describe, expect, it } from 'vitest';
import { parseModelText } from '../../../engine/model';
import { globMatcher, matchesAny } from '../../../engine/model/patterns';
import { resolveText } from '../pymodel/helpers';

const matches = (pattern: string, name: string) => globMatcher(pattern).test(name);

/** `*a*a*a*a*a*a*a*a*c`: a backtracking regex tries every way to split the name between the stars. */
const PATHOLOGICAL = `*${'a*'.repeat(8)}c`;
const LONG_NAME = 'a'.repeat(40);

function timed<T>(f: () => T): { value: T; ms: number } {
  const t0 = performance.now();
  const value = f();
  return { value, ms: performance.now() - t0 };
}

describe('name patterns', () => {
  it('`*` spans any run of characters, dots included, and may be empty; `?` is one character', () => {
    expect(matches('*.bias', 'encoder.0.bias')).toBe(true);
    expect(matches('*.bias', '.bias')).toBe(true);
    expect(matches('*.bias', 'encoder.0.weight')).toBe(false);
    expect(matches('fc?.weight', 'fc1.weight')).toBe(true);
    expect(matches('fc?.weight', 'fc.weight')).toBe(false);
    expect(matches('fc?.weight', 'fc12.weight')).toBe(false);
    expect(matches('*', '')).toBe(true);
    expect(matches('**', 'x')).toBe(true);
    expect(matches('', '')).toBe(true);
    expect(matches('', 'x')).toBe(false);
    expect(matches('a*b*c', 'abbbc')).toBe(true);
    expect(matches('a*b*c', 'acb')).toBe(false);
    // A later star must be able to take back what an earlier one gave up.
    expect(matches('*ab*ab', 'xabyabzab')).toBe(true);
    expect(matches('*aab', 'aaab')).toBe(true);
  });

  it('matches the whole name, case-sensitively, with no other special characters', () => {
    expect(matches('fc1', 'fc1.weight')).toBe(false);
    expect(matches('weight', 'fc1.weight')).toBe(false);
    expect(matches('FC1.*', 'fc1.weight')).toBe(false);
    expect(matches('a.b', 'axb')).toBe(false);
    expect(matches('h[0].weight', 'h[0].weight')).toBe(true);
    expect(matches('h[0].weight', 'h0.weight')).toBe(false);
    expect(matches('a+(b)|c$^\\', 'a+(b)|c$^\\')).toBe(true);
    expect(matchesAny('fc2.bias', ['*.weight', 'fc2.*'])).toBe(true);
    expect(matchesAny('fc2.bias', [])).toBe(false);
  });

  it(`answers "${PATHOLOGICAL}" against a 40-character name at once (a regex took seconds to minutes)`, () => {
    const { value, ms } = timed(() => matches(PATHOLOGICAL, LONG_NAME));
    expect(value).toBe(false);
    expect(matches(PATHOLOGICAL, `${LONG_NAME}c`)).toBe(true);
    expect(ms).toBeLessThan(1000);
  });

  it('a model file with that pattern in `init` and in `compare` is checked at once', () => {
    const text = JSON.stringify({
      input: 4,
      layers: [{ name: LONG_NAME, type: 'Linear', out_features: 2 }],
      init: { [PATHOLOGICAL]: 'zeros_' },
      compare: { worst: { [PATHOLOGICAL]: 'zeros_' } },
    });
    const { value, ms } = timed(() => parseModelText(text, 'json', 'm'));
    expect(value.diagnostics.filter((d) => d.code === 'unmatched-pattern')).toHaveLength(2);
    expect(ms).toBeLessThan(1000);
  });

  it('a Python file with that pattern in a "# weightscope: compare" comment is checked at once', async () => {
    const text = [
      'import torch.nn as nn',
      `# weightscope: compare = {"worst": {"${PATHOLOGICAL}": "zeros_"}}`,
      'class M(nn.Module):',
      '    def __init__(self):',
      '        super().__init__()',
      `        self.${LONG_NAME} = nn.Linear(4, 2)`,
      '    def forward(self, x):',
      `        return self.${LONG_NAME}(x)`,
      '',
    ].join('\n');
    await resolveText('x = 1\n'); // load the parser outside the timed part
    const t0 = performance.now();
    const f = await resolveText(text);
    const ms = performance.now() - t0;
    expect(f.diagnostics.map((d) => d.code)).toContain('unmatched-pattern');
    expect(ms).toBeLessThan(1000);
  });
});
