/**
 * The names a model file may use for initializers and losses: torch's own.
 * Initializer names are `torch.nn.init` function names; the trailing
 * underscore (torch's in-place convention) may be left out in files.
 */
export const INITIALIZER_NAMES: readonly string[] = [
  'uniform_', 'normal_', 'trunc_normal_', 'constant_', 'ones_', 'zeros_', 'eye_',
  'xavier_uniform_', 'xavier_normal_', 'kaiming_uniform_', 'kaiming_normal_',
  'orthogonal_', 'sparse_', 'lecun_uniform_', 'lecun_normal_', 'linear_default_',
];

/** Initializers whose scale comes from the tensor's fans, so they need ≥ 2 dimensions. */
const NEEDS_FANS = new Set([
  'xavier_uniform_', 'xavier_normal_', 'kaiming_uniform_', 'kaiming_normal_',
  'lecun_uniform_', 'lecun_normal_', 'orthogonal_', 'sparse_', 'eye_',
]);

export function normalizeInitializerName(name: string): string {
  return name.endsWith('_') ? name : `${name}_`;
}

export function initializerNeedsFans(fn: string): boolean {
  return NEEDS_FANS.has(fn);
}

export const LOSS_TYPES: readonly string[] = [
  'MSELoss', 'L1Loss', 'SmoothL1Loss', 'HuberLoss', 'BCELoss', 'BCEWithLogitsLoss', 'CrossEntropyLoss',
];
