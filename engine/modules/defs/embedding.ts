/**
 * nn.Embedding and nn.EmbeddingBag (torch/nn/modules/sparse.py):
 *
 *   init.normal_(self.weight)                     # N(0, 1)
 *   if padding_idx is not None:
 *       self.weight[padding_idx].fill_(0)         # that row is zero
 *
 * A negative padding_idx counts from the end (padding_idx += num_embeddings).
 */
import { intArg, ModuleArgumentError, optionalIntArg, REQUIRED, stringArg, type Parameter } from '../signature';
import type { ArgValue, InitStep } from '../tree';
import { parameter, torchDefault, type ModuleDefinition } from './common';

function embedding(type: 'Embedding' | 'EmbeddingBag', signature: readonly Parameter[]): ModuleDefinition {
  return {
    type,
    signature,
    doc: `${type}: weight N(0, 1), the padding_idx row (if any) zero.`,
    build(args: Readonly<Record<string, ArgValue>>) {
      const n = intArg(type, args, 'num_embeddings');
      const dim = intArg(type, args, 'embedding_dim');
      if (type === 'EmbeddingBag') stringArg(type, args, 'mode', ['sum', 'mean', 'max']);
      let padding = optionalIntArg(type, args, 'padding_idx');
      if (padding !== null) {
        // torch's two messages differ in one capital letter.
        if (padding >= n || padding < -n) throw new ModuleArgumentError(`${type === 'Embedding' ? 'Padding_idx' : 'padding_idx'} must be within num_embeddings`, 'padding_idx');
        if (padding < 0) padding += n;
      }
      const steps: InitStep[] = [torchDefault('normal_', {}, 'normal_(0, 1)')];
      if (padding !== null) steps.push({ op: 'fillRow', index: padding, value: 0 });
      return { tensors: [parameter('weight', [n, dim], ...steps)], children: [] };
    },
  };
}

export const EMBEDDINGS: readonly ModuleDefinition[] = [
  embedding('Embedding', [['num_embeddings', REQUIRED], ['embedding_dim', REQUIRED], ['padding_idx', null], ['max_norm', null], ['norm_type', 2], ['scale_grad_by_freq', false], ['sparse', false], ['_weight', null]]),
  embedding('EmbeddingBag', [['num_embeddings', REQUIRED], ['embedding_dim', REQUIRED], ['max_norm', null], ['norm_type', 2], ['scale_grad_by_freq', false], ['mode', 'mean'], ['sparse', false], ['_weight', null], ['include_last_offset', false], ['padding_idx', null]]),
];
