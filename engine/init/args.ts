/**
 * Validation of initializer arguments as they come from model files: a flat
 * object of torch keyword arguments ({ "gain": 1.4 }, { "mode": "fan_out" }).
 */

export type InitArgValue = number | string | boolean;
export type InitArgs = Readonly<Record<string, InitArgValue>>;

export interface ParamSpec {
  /** torch's keyword name. */
  readonly name: string;
  readonly type: 'number' | 'string';
  /** torch's default; absent means the argument is required (or optional with no default, see `optional`). */
  readonly default?: number | string;
  /** Optional with no default (the initializer decides what absence means). */
  readonly optional?: boolean;
  /** ±inf and NaN are accepted, as torch accepts them (constant_'s value: `torch.full(…, float("-inf"))` masks). */
  readonly nonFinite?: boolean;
}

/** Arguments after validation: every known parameter with a default is filled in. */
export type ResolvedArgs = Readonly<Record<string, number | string | undefined>>;

export class InitArgumentError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InitArgumentError';
  }
}

/**
 * Checks names and types against the specs and fills defaults. Errors name the
 * initializer and the argument: unknown argument (with the accepted list),
 * wrong type, non-finite number, missing required argument.
 */
export function resolveArgs(initializer: string, specs: readonly ParamSpec[], args: InitArgs = {}): ResolvedArgs {
  const known = new Map(specs.map((s) => [s.name, s]));
  for (const key of Object.keys(args)) {
    if (!known.has(key)) {
      const accepted = specs.length > 0 ? specs.map((s) => s.name).join(', ') : 'none';
      throw new InitArgumentError(`${initializer}: unknown argument "${key}". Accepted arguments: ${accepted}.`);
    }
  }
  const resolved: Record<string, number | string | undefined> = {};
  for (const spec of specs) {
    const value = Object.prototype.hasOwnProperty.call(args, spec.name) ? args[spec.name] : undefined;
    if (value === undefined) {
      if (spec.default === undefined && !spec.optional) {
        throw new InitArgumentError(`${initializer}: missing required argument "${spec.name}".`);
      }
      resolved[spec.name] = spec.default;
      continue;
    }
    if (typeof value !== spec.type) {
      throw new InitArgumentError(`${initializer}: argument "${spec.name}" must be a ${spec.type}, got ${typeof value} ${JSON.stringify(value)}.`);
    }
    if (typeof value === 'number' && !Number.isFinite(value) && !spec.nonFinite) {
      throw new InitArgumentError(`${initializer}: argument "${spec.name}" must be a finite number, got ${value}.`);
    }
    resolved[spec.name] = value as number | string;
  }
  return resolved;
}

/** `kaiming_uniform_(a=2.23606797749979, mode='fan_in')`: the call as torch would be written. */
export function formatInitializerCall(name: string, args: InitArgs = {}): string {
  const parts = Object.entries(args).map(([k, v]) => `${k}=${typeof v === 'string' ? `'${v}'` : typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v)}`);
  return `${name}(${parts.join(', ')})`;
}
