#!/usr/bin/env node
// Runs the test suites and prints one summary line: `N passed, N failed`.
//
//   node scripts/test.mjs all | unit | security | integration | e2e  [filter]
//
// Each test file runs in its own Node process (a crash in a native module
// fails that file, not the run), inside a private D-Bus session with an
// unlocked gnome-keyring (test/support/with-keyring.sh), so everything that
// stores a password uses the real OS keychain, never a stand-in.
// A skipped test counts as a failure: nothing is reported as passing that did not run.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SUITES = ['unit', 'security', 'integration', 'e2e'];
const [which = 'all', filter] = process.argv.slice(2);
const suites = which === 'all' ? SUITES : [which];
if (!suites.every((s) => SUITES.includes(s))) {
  console.error(`unknown suite "${which}"; use one of: all, ${SUITES.join(', ')}`);
  process.exit(2);
}
const CONCURRENCY = { unit: Math.max(2, os.availableParallelism()), security: 2, integration: 2, e2e: 1 };
const FILE_TIMEOUT_MS = { unit: 120_000, security: 180_000, integration: 600_000, e2e: 600_000 };

function collect(dir) {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.test.ts'))
    .map((d) => path.join(d.parentPath ?? d.path, d.name))
    .filter((f) => !filter || f.includes(filter))
    .sort();
}

function prepare() {
  const rebuild = spawnSync(process.execPath, ['native-rebuild/rebuild.mjs', 'node', '--if-needed'], { cwd: root, stdio: 'inherit' });
  if (rebuild.status !== 0) process.exit(rebuild.status ?? 1);
  if (suites.includes('e2e')) {
    const build = spawnSync(process.execPath, ['scripts/build.mjs', 'renderer', '--if-changed'], { cwd: root, stdio: 'inherit' });
    if (build.status !== 0) process.exit(build.status ?? 1);
  }
}

function parseTotals(output) {
  // uvu prints "Total: N", "Passed: N", "Skipped: N" after each file's suites.
  const num = (label) => {
    const m = output.match(new RegExp(`${label}:\\s+(\\d+)`));
    return m ? Number(m[1]) : null;
  };
  return { total: num('Total'), passed: num('Passed'), skipped: num('Skipped') ?? 0 };
}

function runFile(file, suite) {
  return new Promise((resolve) => {
    const started = Date.now();
    const args = ['--import', 'tsx', file];
    const child = spawn('bash', [path.join(root, 'test/support/with-keyring.sh'), process.execPath, ...args], {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', POLYSTORE_TEST_SUITE: suite },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so a timeout ends the test, its D-Bus session and keyring daemon together.
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[test runner] ${path.relative(root, file)} exceeded ${FILE_TIMEOUT_MS[suite] / 1000}s and was killed\n`;
      // Killing only the bash wrapper left the test and its daemons holding the pipes open, so the run never ended.
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout.destroy();
      child.stderr.destroy();
    }, FILE_TIMEOUT_MS[suite]);
    child.on('close', (code) => {
      clearTimeout(timer);
      const t = parseTotals(output);
      let passed = t.passed ?? 0;
      let failed = t.total === null ? 1 : t.total - passed - t.skipped;
      failed += t.skipped; // skipped is not passed
      if (code !== 0 && failed === 0) failed = 1;
      if (t.total === 0) failed = Math.max(failed, 1); // a file with no tests is a mistake
      if (failed && !/FAIL/.test(output)) {
        // uvu cannot print an error whose `details` is an object (our EngineError): say so.
        output += '\n[test runner] a test failed without a report: it probably threw an EngineError directly; assert on results instead\n';
      }
      resolve({ file, suite, passed, failed, skipped: t.skipped, output, ms: Date.now() - started, code });
    });
  });
}

async function runSuite(suite) {
  const files = collect(path.join(root, 'test', suite));
  const results = [];
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const file = files[next++];
      const r = await runFile(file, suite);
      results.push(r);
      const mark = r.failed ? 'FAIL' : 'ok  ';
      console.log(`${mark} ${suite.padEnd(11)} ${path.relative(path.join(root, 'test'), file).padEnd(64)} ${String(r.passed).padStart(4)} passed ${r.failed ? `${r.failed} failed ` : ''}(${(r.ms / 1000).toFixed(1)}s)`);
      if (r.failed) console.log(r.output.split('\n').map((l) => '    | ' + l).join('\n'));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY[suite], files.length || 1) }, worker));
  return results;
}

prepare();
const all = [];
for (const suite of suites) all.push(...(await runSuite(suite)));
const passed = all.reduce((n, r) => n + r.passed, 0);
const failed = all.reduce((n, r) => n + r.failed, 0);
const skipped = all.reduce((n, r) => n + r.skipped, 0);
if (skipped) console.log(`${skipped} skipped test(s) counted as failed`);
if (all.length === 0) console.log('no test files matched');
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || all.length === 0 ? 1 : 0);
