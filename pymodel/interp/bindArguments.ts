/**
 * Python's binding of a call's arguments to a def's parameters, the one
 * binder of the module reader's interpreter (whose values are computed) and
 * of the forward reader (whose values may be tensors only known when the
 * model runs): a keyword by its name, else the next positional argument, else
 * the parameter is absent (its default, or a missing argument: the caller
 * says what it makes of it); `*args` takes the positional arguments left and
 * `**kwargs` the keywords no parameter took.
 */
import type { SyntaxNode } from '../parser';
import { parameterName } from '../syntax';

export interface DefParameter {
  name: string;
  node: SyntaxNode;
  defaultNode: SyntaxNode | null;
  /** `one` a plain parameter, `rest` `*args`, `keywords` `**kwargs`. */
  kind: 'one' | 'rest' | 'keywords';
}

/** A def's (or lambda's) parameters in order, separators (`*`, `/`) left out. */
export function defParameters(params: SyntaxNode | null): DefParameter[] {
  const out: DefParameter[] = [];
  for (const raw of params?.namedChildren ?? []) {
    if (!raw || raw.type === 'comment' || raw.type === 'keyword_separator' || raw.type === 'positional_separator') continue;
    // `*args: Any` / `**kwargs: Any`: the splat inside the annotation.
    const p = raw.type === 'typed_parameter' && raw.namedChildren[0] && /splat_pattern$/.test(raw.namedChildren[0].type) ? raw.namedChildren[0] : raw;
    if (p.type === 'list_splat_pattern' || p.type === 'dictionary_splat_pattern') {
      const rest = p.type === 'list_splat_pattern';
      out.push({ name: p.namedChild(0)?.text ?? (rest ? 'args' : 'kwargs'), node: p, defaultNode: null, kind: rest ? 'rest' : 'keywords' });
      continue;
    }
    const name = parameterName(p);
    if (name) out.push({ name, node: p, defaultNode: p.childForFieldName('value'), kind: 'one' });
  }
  return out;
}

export interface ArgumentBinder<V> {
  /** The value of a parameter the call does not give (its default, or what a missing argument becomes). */
  absent(p: DefParameter): V;
  /** `*args`: the positional arguments no parameter took. */
  rest(p: DefParameter, items: V[]): V;
  /** `**kwargs`: the keywords no parameter took. */
  keywords(p: DefParameter, rest: Map<string, V>): V;
}

/** Each parameter's value, in the def's order. */
export function bindArguments<V>(params: readonly DefParameter[], positional: readonly V[], keywords: ReadonlyMap<string, V>, binder: ArgumentBinder<V>): Map<string, V> {
  const bound = new Map<string, V>();
  const used = new Set<string>();
  let i = 0;
  for (const p of params) {
    if (p.kind === 'rest') {
      bound.set(p.name, binder.rest(p, positional.slice(i)));
      i = positional.length;
    } else if (p.kind === 'keywords') {
      const rest = new Map<string, V>();
      for (const [k, v] of keywords) if (!used.has(k)) rest.set(k, v);
      bound.set(p.name, binder.keywords(p, rest));
    } else {
      used.add(p.name);
      if (keywords.has(p.name)) bound.set(p.name, keywords.get(p.name)!);
      else if (i < positional.length) bound.set(p.name, positional[i++]!);
      else bound.set(p.name, binder.absent(p));
    }
  }
  return bound;
}
