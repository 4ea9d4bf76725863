// Child process of format.test.ts: records a long run into the folder given as
// argv[2], flushing after every line, until the parent kills it. It turns on the runtime's
// WebAssembly features first, as the CLI does and the parent's test setup did: the parent recomputes
// the steps, and the GEMM kernels' fused build rounds differently from the portable one.
import { enableWasmFeatures } from '../../../host/wasmFeatures';
import { parseModelText, requireChain } from '../../../engine/model';
import { encodeSnapshotLine, encodeStepLine, runMetaFor, TrainingRun } from '../../../engine/run';
import { RunFolderWriter } from '../../../cli/runFiles';

enableWasmFeatures();

const MODEL = '{"input": 10, "layers": [{"name": "fc1", "type": "Linear", "out_features": 32}, {"type": "ReLU"}, {"name": "fc2", "type": "Linear", "out_features": 1}], "loss": "BCEWithLogitsLoss", "optimizer": {"type": "AdamW", "lr": 0.01}, "seed": 7}';
const spec = requireChain(parseModelText(MODEL, 'json', 'm').spec!, 'test');
const dir = process.argv[2]!;
const run = new TrainingRun(spec, { steps: 10_000_000 });
const writer = new RunFolderWriter(dir, runMetaFor(spec, { id: 'crash', steps: 10_000_000, createdAt: new Date().toISOString() }), 1, 0);
while (!run.done) {
  const { step, snapshot } = run.advance();
  writer.append(encodeStepLine(step));
  if (snapshot) writer.append(encodeSnapshotLine(snapshot));
  writer.stepDone(step.step);
}
