// The worker-thread entry when the engine runs from its TypeScript sources
// (tests, hosts started through tsx); a bundle passes its own worker.mjs.
// tsx's `--import` hooks do not reach worker threads on Node 20, where a .ts
// module was loaded as CommonJS and its dynamic import() of another .ts file
// failed; registering tsx in the thread itself loads the worker as ES modules,
// so connectors/registry.ts can load each store's code on first use.
import { register } from 'tsx/esm/api';

register();
const { default: runJob } = await import('./worker.ts');
export default runJob;
