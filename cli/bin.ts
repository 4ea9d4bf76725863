/** The `weightscope` executable: runs the command line and exits with its code. */
import { enableWasmFeatures } from '../host/wasmFeatures';
import { main } from './main';

enableWasmFeatures();

void main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
