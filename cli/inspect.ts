/**
 * `weightscope signal` and `weightscope compare`: the inspector's Signal and
 * Compare tabs as text (or JSON) in a terminal.
 */
import { compareInitializations, defaultSeeds } from '../engine/inspect/compare';
import { measureSignal } from '../engine/inspect/signal';
import type { Dataset } from '../engine/data/dataset';
import type { InitialValues } from '../engine/model/initialize';
import type { ChainModelSpec, RunnableModelSpec } from '../engine/model/spec';
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
