#!/usr/bin/env node
// The `polystore` command. It runs the TypeScript sources through tsx, so the
// CLI always matches the checkout it belongs to.
import { register } from 'tsx/esm/api';

register();
const { runCli, processIO } = await import('./index.ts');
process.exitCode = await runCli(process.argv.slice(2), processIO());
