/**
 * The loss names a model file may use: torch.nn's class names. (Initializer
 * names come from the initializer registry, engine/init/registry.ts.)
 */
export const LOSS_TYPES: readonly string[] = [
  'MSELoss', 'L1Loss', 'SmoothL1Loss', 'HuberLoss', 'BCELoss', 'BCEWithLogitsLoss', 'CrossEntropyLoss',
];
