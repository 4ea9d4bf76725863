/** Runs the Python parse benchmark on its own: `npm run bench:python`. */
import { benchPythonParse } from './pythonParse';

const GOAL_MS = 50;
const r = await benchPythonParse();
const total = r.parseMs + r.resolveMs;
const best = r.best.parseMs + r.best.resolveMs;
console.log(`python: ${r.lines} lines, median parse ${r.parseMs.toFixed(2)} ms + resolve ${r.resolveMs.toFixed(2)} ms = ${total.toFixed(2)} ms; `
  + `best ${r.best.parseMs.toFixed(2)} + ${r.best.resolveMs.toFixed(2)} = ${best.toFixed(2)} ms (goal < ${GOAL_MS} ms: ${total < GOAL_MS ? 'met' : 'NOT met'} by the median)`);
process.exitCode = total < GOAL_MS ? 0 : 1;
