import { describe, expect, it } from 'vitest';
import { ReLU, Tanh } from '../../../engine/nn/activation';
import { Linear } from '../../../engine/nn/linear';
import { Sequential } from '../../../engine/nn/sequential';
import { Tensor } from '../../../engine/tensor/tensor';

function mlp(): Sequential {
  return new Sequential(new Linear(2, 3), new ReLU(), new Linear(3, 1));
}

describe('Sequential', () => {
  it('names the parameters of unnamed children by position, as state_dict', () => {
    expect(mlp().namedParameters().map((p) => p.name)).toEqual(['0.weight', '0.bias', '2.weight', '2.bias']);
  });

  it('uses given child names', () => {
    const net = new Sequential([
      ['fc1', new Linear(2, 3)],
      ['act', new Tanh()],
      ['fc2', new Linear(3, 1, { bias: false })],
    ]);
    expect(net.namedParameters().map((p) => p.name)).toEqual(['fc1.weight', 'fc1.bias', 'fc2.weight']);
    expect(net.children.map((c) => c.name)).toEqual(['fc1', 'act', 'fc2']);
  });

  it('rejects duplicate or dotted child names', () => {
    expect(() => new Sequential([['a', new ReLU()], ['a', new ReLU()]])).toThrow();
    expect(() => new Sequential([['a.b', new ReLU()]])).toThrow();
  });

  it('applies children in order (hand-computed)', () => {
    const first = new Linear(2, 2, { dtype: 'float64' });
    first.weight.data.set([1, 0, 0, -1]); // h = [x0, −x1]
    const second = new Linear(2, 1, { dtype: 'float64' });
    second.weight.data.set([1, 1]);
    second.bias!.data.set([10]);
    const net = new Sequential(first, new ReLU(), second);
    const x = Tensor.from([3, 4, -1, -2], [2, 2], { dtype: 'float64' });
    // row 1: relu([3, −4]) = [3, 0] → 13; row 2: relu([−1, 2]) = [0, 2] → 12
    expect(net.forward(x).toArray()).toEqual([13, 12]);
  });

  it('forwardWithTrace returns every child output, the last being the output', () => {
    const net = mlp();
    const x = Tensor.ones([4, 2]);
    const { output, trace } = net.forwardWithTrace(x);
    expect(trace.map((t) => [t.name, t.kind])).toEqual([
      ['0', 'Linear'],
      ['1', 'ReLU'],
      ['2', 'Linear'],
    ]);
    expect(trace.map((t) => t.output.shape)).toEqual([[4, 3], [4, 3], [4, 1]]);
    expect(trace[2]!.output).toBe(output);
  });

  it('forwardWithTrace can keep the gradient of every layer output', () => {
    const first = new Linear(2, 2, { dtype: 'float64' });
    first.weight.data.set([1, 0, 0, 1]);
    const net = new Sequential(first, new ReLU());
    const x = Tensor.from([3, -1], [1, 2], { dtype: 'float64' });
    const { output, trace } = net.forwardWithTrace(x, { retainGrad: true });
    output.backward(new Float64Array([1, 1]));
    // ∂L/∂relu_out = [1, 1]; ∂L/∂linear_out = [1, 0] (the second unit is negative, so ReLU blocks it)
    expect(Array.from(trace[1]!.output.grad!)).toEqual([1, 1]);
    expect(Array.from(trace[0]!.output.grad!)).toEqual([1, 0]);
    const untraced = net.forwardWithTrace(x);
    untraced.output.backward(new Float64Array([1, 1]));
    expect(untraced.trace[0]!.output.grad).toBeNull();
  });

  it('propagates train/eval to its children', () => {
    const net = mlp();
    expect(net.training).toBe(true);
    net.eval();
    expect(net.training).toBe(false);
    expect(net.children.every((c) => !c.module.training)).toBe(true);
    net.train();
    expect(net.children.every((c) => c.module.training)).toBe(true);
  });
});
