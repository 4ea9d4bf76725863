/** The one binder of call arguments to a def's parameters, shared by the interpreter and the forward reader. */
import { describe, expect, it } from 'vitest';
import { bindArguments, defParameters } from '../../../pymodel/interp/bindArguments';
import { plainTree } from '../../../pymodel/plainTree';
import { loadParser } from './helpers';

async function paramsOf(source: string) {
  const parser = await loadParser();
  const def = plainTree(parser.parse(source), source).namedChildren[0]!;
  return defParameters(def.childForFieldName('parameters'));
}

const binder = {
  absent: (p: { name: string; defaultNode: { text: string } | null }) => (p.defaultNode ? `default ${p.defaultNode.text}` : `missing ${p.name}`),
  rest: (_p: unknown, items: string[]) => `rest [${items.join(', ')}]`,
  keywords: (_p: unknown, rest: Map<string, string>) => `keywords {${[...rest.keys()].join(', ')}}`,
};

describe('bindArguments', () => {
  it('reads parameters, annotations, defaults and splats, leaving out the * and / separators', async () => {
    const params = await paramsOf('def f(self, x: int, /, y=2, *args: Any, z, w: float = 1.0, **kwargs: Any):\n    pass\n');
    expect(params.map((p) => `${p.kind} ${p.name}${p.defaultNode ? `=${p.defaultNode.text}` : ''}`)).toEqual(['one self', 'one x', 'one y=2', 'rest args', 'one z', 'one w=1.0', 'keywords kwargs']);
    expect((await paramsOf('def g(a, *, b=3):\n    pass\n')).map((p) => p.name)).toEqual(['a', 'b']);
  });

  it('binds as Python: keywords by name, positional in order, the rest to *args and **kwargs, absent parameters to the caller', async () => {
    const params = await paramsOf('def f(a, b=2, *args, c, d=4, **kwargs):\n    pass\n');
    const bound = bindArguments(params, ['1', '2', '3', '5'], new Map([['c', 'C'], ['e', 'E']]), binder);
    expect(Object.fromEntries(bound)).toEqual({ a: '1', b: '2', args: 'rest [3, 5]', c: 'C', d: 'default 4', kwargs: 'keywords {e}' });
    const fewer = bindArguments(params, [], new Map([['a', 'A']]), binder);
    expect(Object.fromEntries(fewer)).toMatchObject({ a: 'A', b: 'default 2', args: 'rest []', c: 'missing c' });
  });
});
