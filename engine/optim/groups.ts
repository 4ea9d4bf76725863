/**
 * Parameter groups, as torch's `param_groups`: each group has its own
 * hyper-parameters, and each parameter belongs to exactly one group.
 *
 *     paramGroups(adamw, [
 *       { params: ['*.bias', '*norm*.weight'], weightDecay: 0 },
 *       { params: ['encoder.*'], lr: 1e-4 },
 *       { params: ['*'] },
 *     ], { lr: 1e-3, weightDecay: 0.01 })
 *
 * A group's options are the defaults overridden by the group's own entries.
 * `params` lists names or glob patterns (`*` spans dots); a parameter goes to
 * the first group that matches it, and a parameter matched by no group is an
 * error (torch would silently leave it untrained). Each group is an
 * independent optimizer over its parameters (like optax.multi_transform).
 */
import { globMatcher } from '../model/patterns';
import type { TraceSink } from './trace';
import type { GradientTransformation, Update } from './transform';

export type ParamGroup<O> = Partial<O> & {
  /** Parameter names or glob patterns. */
  readonly params: readonly string[];
};

export interface GroupsState {
  /** Group index of every parameter. */
  readonly groupOf: Readonly<Record<string, number>>;
  readonly states: unknown[];
}

export function paramGroups<O extends object>(
  make: (options: O) => GradientTransformation<any>,
  groups: readonly ParamGroup<O>[],
  defaults: O,
): GradientTransformation<GroupsState> {
  const transforms = groups.map(({ params: _patterns, ...own }) => make({ ...defaults, ...own } as O));
  const matchers = groups.map((g) => g.params.map(globMatcher));
  const assign = (name: string): number => {
    const i = matchers.findIndex((res) => res.some((re) => re.test(name)));
    if (i < 0) throw new Error(`parameter '${name}' is in no parameter group`);
    return i;
  };
  return {
    init(params) {
      const groupOf: Record<string, number> = {};
      for (const name of Object.keys(params)) groupOf[name] = assign(name);
      return { groupOf, states: transforms.map((t, i) => t.init(subset(params, groupOf, i))) };
    },
    update(updates, state, params, trace?: TraceSink) {
      for (const name of Object.keys(updates)) {
        if (state.groupOf[name] === undefined) throw new Error(`parameter '${name}' was not given to init`);
      }
      const merged: Record<string, Update> = {};
      const states = transforms.map((t, i) => {
        const mine = subset(updates, state.groupOf, i);
        if (Object.keys(mine).length === 0) return state.states[i];
        const out = t.update(mine, state.states[i], params, trace);
        Object.assign(merged, out.updates);
        return out.state;
      });
      return { updates: merged, state: { groupOf: state.groupOf, states } };
    },
  };
}

function subset<V>(all: Readonly<Record<string, V>>, groupOf: Readonly<Record<string, number>>, group: number): Record<string, V> {
  const out: Record<string, V> = {};
  for (const name of Object.keys(all)) if (groupOf[name] === group) out[name] = all[name]!;
  return out;
}
