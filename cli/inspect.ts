/**
 * `weightscope signal` and `weightscope compare`: the inspector's Signal and
 * Compare tabs as text (or JSON) in a terminal.
 */
import { compareInitializations, defaultSeeds } from '../engine/inspect/compare';
import { measureSignal } from '../engine/inspect/signal';
import type { Dataset } from '../engine/data/dataset';
import { initialTensors, type InitialValues } from '../engine/model/initialize';
import type { InitInspection } from '../engine/inspect/types';
import type { ChainModelSpec, ModelSpec, RunnableModelSpec } from '../engine/model/spec';
import { TorchGenerator } from '../engine/random';
import { printTable } from './table';

const fmt = (x: number | null | undefined): string => (x === null || x === undefined ? '—' : Number.isFinite(x) ? x.toPrecision(3) : String(x));
const pct = (x: number | undefined): string => (x === undefined ? '—' : `${Math.round(x * 100)}%`);

export function printSignal(spec: RunnableModelSpec, dataset: Dataset, checkpoint: InitialValues | undefined, json: boolean): void {
  const report = measureSignal(spec, { data: dataset, ...(checkpoint ? { checkpoint } : {}) });
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`${report.modelName}: signal through depth on ${report.examples} examples, seed ${report.seed}, backward pass of ${report.loss}`);
  console.log(`input std ${fmt(report.input.std)}`);
  printTable([report.through === 'modules' ? 'module' : 'layer', 'kind', 'act. std', 'std ratio', 'grad std', 'dead', 'saturated'], report.layers.map((l) => [
    `${'  '.repeat(l.depth ?? 0)}${l.name}`, l.kind, fmt(l.std), fmt(l.stdRatio), fmt(l.gradStd), pct(l.deadFraction), pct(l.saturatedFraction),
  ]));
  if (report.residual) {
    console.log(`residual stream of ${report.residual.container}: input std ${fmt(report.residual.inputStd)}`);
    printTable(['after block', 'stream std', '/ input std'], report.residual.blocks.map((b) => [b.path, fmt(b.std), fmt(b.ratioToInput)]));
  }
  if (report.attention?.length) {
    console.log('attention entropy per head (nats; uniform maximum in parentheses)');
    printTable(['attention', 'heads'], report.attention.map((a) => [a.path, a.heads.map((x) => `${fmt(x.entropy)} (${fmt(x.maxEntropy)})`).join('  ')]));
  }
  console.log(`verdict: ${report.verdict.text}`);
}

export function printComparison(spec: ChainModelSpec, dataset: Dataset, seeds: number, bins: number, json: boolean): void {
  const report = compareInitializations(spec, { bins, seeds: defaultSeeds(spec, seeds), data: dataset, examples: 128 });
  if (json) {
    console.log(JSON.stringify(report, null, 2));
    return;
  }
  console.log(`${report.modelName}: ${report.variants.length} initializers × seeds ${report.seeds.join(', ')}`);
  printTable(['initializer', 'output std', 'per Linear', 'verdict'], report.variants.map((v) => [
    v.label, fmt(v.layers.at(-1)?.std.mean), `×${fmt(v.verdict.factorPerLinear)}`, v.verdict.text,
  ]));
}

/**
 * `init --json --values`: the inspection with a `values` object (state_dict name → the tensor's values, flat,
 * row-major), drawn again from the same seed (the same numbers) and written one tensor at a time, so that a large
 * model never holds more than one tensor's text.
 */
export function printWithValues(inspection: InitInspection, spec: ModelSpec, checkpoint: InitialValues | undefined): void {
  const head = JSON.stringify(inspection, null, 2);
  process.stdout.write(`${head.slice(0, head.lastIndexOf('}')).trimEnd()},\n  "values": {`);
  let first = true;
  for (const [entry, p] of initialTensors(spec, new TorchGenerator(spec.seed), 'float32', { checkpoint })) {
    // A float32 widened to double prints as the shortest text that reads back to that double, so no bit is lost.
    process.stdout.write(`${first ? '' : ','}\n    ${JSON.stringify(entry.name)}: [${Array.from(p.data, (v) => (Number.isFinite(v) ? String(v) : 'null')).join(', ')}]`);
    first = false;
  }
  process.stdout.write('\n  }\n}\n');
}
