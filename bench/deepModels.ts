/**
 * The deep-model training workloads through the engine's real path: the
 * model's Python file is read as the extension reads it (tree-sitter, never
 * run), its forward graph is what trains, and a Trainer steps it as the
 * training panel's worker does (its default synthetic data, buffer reuse,
 * the gradient norm), without tracing.
 *
 *   mnist-cnn  bench/mnist_cnn.py: PyTorch's MNIST example network, its forward returning nll_loss
 *   char-gpt   examples/tiny_gpt/model.py: a character-level nanoGPT, its forward returning cross_entropy
 *
 * The files are the ones the PyTorch peer imports (bench/torch_bench.py); only
 * their last lines, which build the model and its optimizer, are replaced here
 * by the benchmark's sizes and its AdamW.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { isGraphModel, type GraphModelSpec } from '../engine/model/spec';
import { Trainer } from '../engine/train/trainer';
import { PythonParser, resolvePython } from '../pymodel';
import { ADAMW, type CharGptSizes, type MnistCnnSizes } from './workloads';

export const DEEP_MODEL_FILES = { 'mnist-cnn': 'bench/mnist_cnn.py', 'char-gpt': 'examples/tiny_gpt/model.py' } as const;
export type DeepWorkload = keyof typeof DEEP_MODEL_FILES;

/** The optimizer line both files end with, as torch's AdamW defaults plus the benchmark's lr and weight decay. */
function optimizerLine(): string {
  const [b1, b2] = ADAMW.betas;
  return `optimizer = torch.optim.AdamW(model.parameters(), lr=${ADAMW.lr}, betas=(${b1}, ${b2}), eps=${ADAMW.eps}, weight_decay=${ADAMW.weightDecay})`;
}

/** The model file's text with its instantiation and optimizer replaced by the benchmark's. */
export function benchSource(root: string, workload: DeepWorkload, sizes: MnistCnnSizes | CharGptSizes): string {
  const text = readFileSync(path.join(root, DEEP_MODEL_FILES[workload]), 'utf8');
  const model = workload === 'mnist-cnn'
    ? (({ channels, hidden, classes, image }: MnistCnnSizes) => `model = Net(NetConfig(channels=${channels}, hidden=${hidden}, classes=${classes}, image=${image}))`)(sizes as MnistCnnSizes)
    : (({ vocabSize, blockSize, nLayer, nHead, nEmbd }: CharGptSizes) =>
      `model = GPT(GPTConfig(vocab_size=${vocabSize}, block_size=${blockSize}, n_layer=${nLayer}, n_head=${nHead}, n_embd=${nEmbd}))`)(sizes as CharGptSizes);
  const lines = text.split('\n');
  const at = lines.findIndex((l) => /^model = /.test(l));
  if (at < 0 || !/^optimizer = /.test(lines[at + 1] ?? '')) throw new Error(`${DEEP_MODEL_FILES[workload]} must end with 'model = …' and 'optimizer = …'`);
  return [...lines.slice(0, at), model, optimizerLine(), ...lines.slice(at + 2)].join('\n');
}

let parser: Promise<PythonParser> | null = null;

function loadParser(): Promise<PythonParser> {
  const require = createRequire(import.meta.url);
  parser ??= PythonParser.load({
    runtime: require.resolve('web-tree-sitter/tree-sitter.wasm'),
    grammar: require.resolve('tree-sitter-python/tree-sitter-python.wasm'),
  });
  return parser;
}

/** The model of a Python text as the extension reads it: its primary model, with its forward graph. */
export async function readGraphModel(text: string, name: string): Promise<GraphModelSpec> {
  const tree = (await loadParser()).parse(text);
  try {
    const file = resolvePython(tree, text);
    const model = file.models.find((m) => m.primary) ?? file.models[0];
    const spec = model?.result.spec;
    if (!spec) throw new Error(`${name}: no model read (${model?.result.diagnostics.map((d) => d.message).join('; ') ?? 'no model'})`);
    if (!isGraphModel(spec)) throw new Error(`${name}: its forward is not read (${spec.forwardUnavailable ?? 'unknown reason'})`);
    return spec;
  } finally {
    tree.delete();
  }
}

/** One call = one training step of the workload's model on the Trainer, float32, at the workload's batch size. */
export async function deepTrainingStep(root: string, workload: DeepWorkload, sizes: MnistCnnSizes | CharGptSizes): Promise<{ step: () => void; trainer: Trainer }> {
  const spec = await readGraphModel(benchSource(root, workload, sizes), DEEP_MODEL_FILES[workload]);
  const opt = spec.optimizer;
  if (opt?.type !== 'AdamW' || opt.lr !== ADAMW.lr || opt.args['weight_decay'] !== ADAMW.weightDecay) {
    throw new Error(`${workload}: the optimizer read is ${JSON.stringify(opt)}, not the benchmark's AdamW`);
  }
  const trainer = new Trainer(spec, { batchSize: sizes.batch, trace: false, dtype: 'float32' });
  return { step: () => void trainer.step(), trainer };
}
