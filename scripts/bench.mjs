#!/usr/bin/env node
// `npm run bench`: runs every test/bench/*.bench.ts (each prints a markdown
// section), plus the planner accuracy test, and writes BENCHMARKS.md with the
// date and the machine. Speed targets live here, not in timed tests: these
// machines are shared and noisy, so each bench also reports the load average.
//
//   node scripts/bench.mjs [filter]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const filter = process.argv[2];
const benches = fs
  .readdirSync(path.join(root, 'test/bench'))
  .filter((f) => f.endsWith('.bench.ts') && (!filter || f.includes(filter)))
  .sort()
  .map((f) => path.join('test/bench', f));
const extra = filter ? [] : ['test/integration/engine/planner/accuracy.test.ts'];

const rebuild = spawnSync(process.execPath, ['native-rebuild/rebuild.mjs', 'node', '--if-needed'], { cwd: root, stdio: 'inherit' });
if (rebuild.status !== 0) process.exit(rebuild.status ?? 1);

const machine = [
  `- Date: ${new Date().toISOString()}`,
  `- CPU: ${os.cpus()[0]?.model ?? 'unknown'} × ${os.availableParallelism()}`,
  `- Memory: ${Math.round(os.totalmem() / 1024 ** 3)} GB`,
  `- OS: ${os.type()} ${os.release()} (${process.arch})`,
  `- Node: ${process.version}`,
  `- Load average at start: ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`,
].join('\n');

const sections = [];
let failed = 0;
for (const file of [...benches, ...extra]) {
  const started = Date.now();
  console.log(`running ${file}…`);
  // --expose-gc lets benches start each measured call on a clean heap.
  const result = spawnSync('bash', ['test/support/with-keyring.sh', process.execPath, '--expose-gc', '--import', 'tsx', file], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    timeout: 30 * 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  // Keep the markdown the bench printed (tables and headings), not uvu's progress dots.
  const lines = (result.stdout ?? '').split('\n').filter((l) => /^\s*(\||#|[-*] |[A-Za-z].*:\s)/.test(l) || l.trim() === '');
  const body = lines.join('\n').replace(/\n{3,}/g, '\n\n').trim();
  if (result.status !== 0) {
    failed++;
    sections.push(`## ${path.basename(file)}\n\nFAILED (exit ${result.status}) after ${seconds} s:\n\n\`\`\`\n${(result.stderr || result.stdout || '').slice(-2000)}\n\`\`\``);
  } else sections.push(`## ${path.basename(file)}\n\n${body || '(no output)'}\n\n_(${seconds} s)_`);
}

const text = `# Benchmarks

Produced by \`npm run bench\` (scripts/bench.mjs). Targets are in each section;
numbers are wall-clock unless a table says otherwise, on a shared 2-core
machine, so tails are noisy: re-run before drawing conclusions. Comparisons
with a raw driver start every measured call on a clean heap (--expose-gc), so
neither side pays for collecting the other's garbage.

${machine}

${sections.join('\n\n')}
`;
if (!filter) fs.writeFileSync(path.join(root, 'BENCHMARKS.md'), text);
else console.log(text);
console.log(filter ? '' : 'wrote BENCHMARKS.md');
process.exit(failed ? 1 : 0);
