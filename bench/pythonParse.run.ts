/** Runs the Python parse benchmark on its own: `npm run bench:python`. */
import { benchPythonParse } from './pythonParse';

const GOAL_MS = 50;
const r = await benchPythonParse();
const total = r.parseMs + r.resolveMs;
const best = r.best.parseMs + r.best.resolveMs;
const cpu = r.cpu.parseMs + r.cpu.resolveMs;
console.log(`python: ${r.lines} lines, wall median parse ${r.parseMs.toFixed(2)} ms + resolve ${r.resolveMs.toFixed(2)} ms = ${total.toFixed(2)} ms `
  + `(best ${best.toFixed(2)} ms); CPU median ${r.cpu.parseMs.toFixed(2)} + ${r.cpu.resolveMs.toFixed(2)} = ${cpu.toFixed(2)} ms; `
  + `goal < ${GOAL_MS} ms: ${total < GOAL_MS ? 'met' : 'NOT met'} by the wall median`);
process.exitCode = total < GOAL_MS ? 0 : 1;
