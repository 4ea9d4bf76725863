/**
 * Element-by-element comparison of two arrays by bits (so −0 ≠ +0), with
 * every NaN as one value (a kernel's NaN sign and payload may differ from
 * JavaScript's): the entries that differ, as "index: actual ≠ expected".
 */
export function bitMismatches(actual: ArrayLike<number>, expected: ArrayLike<number>): string[] {
  const out: string[] = [];
  for (let i = 0; i < actual.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Object.is(a, e) || (Number.isNaN(a) && Number.isNaN(e)))) out.push(`${i}: ${a} ≠ ${e}`);
  }
  return out;
}
