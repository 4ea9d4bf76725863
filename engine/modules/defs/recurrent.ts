/**
 * nn.RNN, nn.LSTM, nn.GRU and their cells (torch/nn/modules/rnn.py).
 *
 * For layer l and direction d (suffix `_reverse` for d = 1), registered in
 * this order: weight_ih_l{l} (gate_size, layer_input), weight_hh_l{l}
 * (gate_size, real_hidden), bias_ih_l{l}, bias_hh_l{l} (gate_size), and with
 * proj_size > 0 weight_hr_l{l} (proj_size, hidden_size); gate_size is 4h for
 * an LSTM, 3h for a GRU, h for an RNN; real_hidden = proj_size or h;
 * layer_input = input_size for l = 0, else real_hidden · num_directions.
 *
 * reset_parameters draws every one of them, biases included, from
 * U(−1/√hidden_size, 1/√hidden_size).
 */
import { boolArg, intArg, ModuleArgumentError, numberArg, REQUIRED, stringArg, type Parameter } from '../signature';
import type { ArgValue, TensorDecl } from '../tree';
import { parameter, symmetricUniform, type ModuleDefinition } from './common';

const GATES = { RNN: 1, LSTM: 4, GRU: 3 } as const;
type Mode = keyof typeof GATES;

const hiddenBound = (hidden: number) => symmetricUniform(hidden > 0 ? 1 / Math.sqrt(hidden) : 0, 'uniform_(−1/√hidden_size, 1/√hidden_size)');

function recurrent(mode: Mode): ModuleDefinition {
  const signature: Parameter[] = [['input_size', REQUIRED], ['hidden_size', REQUIRED], ['num_layers', 1]];
  if (mode === 'RNN') signature.push(['nonlinearity', 'tanh']);
  // Every RNNBase takes proj_size; only the LSTM accepts a nonzero one.
  signature.push(['bias', true], ['batch_first', false], ['dropout', 0], ['bidirectional', false], ['proj_size', 0]);
  return {
    type: mode,
    signature,
    doc: `${mode}: every weight and bias U(±1/√hidden_size); ${GATES[mode]} gate${GATES[mode] > 1 ? 's' : ''} per layer and direction.`,
    build(args: Readonly<Record<string, ArgValue>>) {
      const input = intArg(mode, args, 'input_size');
      const hidden = intArg(mode, args, 'hidden_size', { min: 1 });
      const layers = intArg(mode, args, 'num_layers', { min: 1 });
      const proj = intArg(mode, args, 'proj_size', { min: -Infinity });
      if (proj < 0) throw new ModuleArgumentError('proj_size should be a positive integer or zero to disable projections', 'proj_size');
      if (proj > 0 && mode !== 'LSTM') throw new ModuleArgumentError('proj_size argument is only supported for LSTM, not RNN or GRU', 'proj_size');
      if (proj >= hidden && proj > 0) throw new ModuleArgumentError('proj_size has to be smaller than hidden_size', 'proj_size');
      const dropout = numberArg(mode, args, 'dropout');
      if (!(dropout >= 0 && dropout <= 1)) throw new ModuleArgumentError('dropout should be a number in range [0, 1] representing the probability of an element being zeroed', 'dropout');
      if (mode === 'RNN' && !['tanh', 'relu'].includes(stringArg(mode, args, 'nonlinearity'))) throw new ModuleArgumentError(`Unknown nonlinearity '${String(args.nonlinearity)}'`, 'nonlinearity');
      const bias = boolArg(mode, args, 'bias');
      const directions = boolArg(mode, args, 'bidirectional') ? 2 : 1;
      const gate = GATES[mode] * hidden;
      const realHidden = proj > 0 ? proj : hidden;
      const init = hiddenBound(hidden);
      const tensors: TensorDecl[] = [];
      for (let l = 0; l < layers; l++) {
        for (let d = 0; d < directions; d++) {
          const suffix = `_l${l}${d === 1 ? '_reverse' : ''}`;
          const layerInput = l === 0 ? input : realHidden * directions;
          tensors.push(parameter(`weight_ih${suffix}`, [gate, layerInput], init), parameter(`weight_hh${suffix}`, [gate, realHidden], init));
          if (bias) tensors.push(parameter(`bias_ih${suffix}`, [gate], init), parameter(`bias_hh${suffix}`, [gate], init));
          if (proj > 0) tensors.push(parameter(`weight_hr${suffix}`, [proj, hidden], init));
        }
      }
      return { tensors, children: [] };
    },
  };
}

function cell(mode: Mode): ModuleDefinition {
  const type = `${mode}Cell`;
  const signature: Parameter[] = [['input_size', REQUIRED], ['hidden_size', REQUIRED], ['bias', true]];
  if (mode === 'RNN') signature.push(['nonlinearity', 'tanh']);
  return {
    type,
    signature,
    doc: `${type}: weight_ih, weight_hh, bias_ih, bias_hh, all U(±1/√hidden_size).`,
    build(args) {
      const input = intArg(type, args, 'input_size');
      const hidden = intArg(type, args, 'hidden_size', { min: 1 });
      const gate = GATES[mode] * hidden;
      const init = hiddenBound(hidden);
      const tensors = [parameter('weight_ih', [gate, input], init), parameter('weight_hh', [gate, hidden], init)];
      if (boolArg(type, args, 'bias')) tensors.push(parameter('bias_ih', [gate], init), parameter('bias_hh', [gate], init));
      return { tensors, children: [] };
    },
  };
}

export const RECURRENT: readonly ModuleDefinition[] = [recurrent('RNN'), recurrent('LSTM'), recurrent('GRU'), cell('RNN'), cell('LSTM'), cell('GRU')];
