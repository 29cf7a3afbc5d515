import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import pkg from '../../../../package.json' with { type: 'json' };
import { cliProcess } from '../../../support/cli';
import { repoRoot, tempDir } from '../../../support/tmp';

// The bin runs the CLI from its bundle (scripts/node-bundle.mjs). These tests point it at a bundle folder of
// their own (POLYSTORE_BUNDLE_DIR), so they never touch the checkout's dist/node or its sources.

/** Native modules and the worker pool: what opening the engine loads. */
const ENGINE_MODULES = /better-sqlite3|keytar|@duckdb|libpg-query|piscina/;

test('--version and --help start without the engine: no data folder is made and no native module is loaded', () => {
  const dir = tempDir();
  const home = path.join(dir.path, 'profile');
  // NODE_DEBUG=module makes Node log every CommonJS load (the native modules are CommonJS) on stderr.
  const env = { POLYSTORE_HOME: home, NODE_DEBUG: 'module' };
  const version = cliProcess(['--version'], { env });
  const help = cliProcess(['--help'], { env });
  const status = cliProcess(['auth', 'status', '--json'], { env });
  const made = fs.existsSync(home);
  dir.remove();
  assert.is(version.code, 0, version.stderr);
  assert.is(version.stdout.trim(), pkg.version);
  assert.not.match(version.stderr, ENGINE_MODULES);
  assert.is(help.code, 0, help.stderr);
  assert.match(help.stdout, /Usage: polystore/);
  assert.not.match(help.stderr, ENGINE_MODULES);
  // The control: a command that needs the engine opens the profile and loads SQLite, seen the same way.
  assert.is(status.code, 0, status.stderr);
  assert.match(status.stderr, /better-sqlite3/);
  assert.ok(made, 'auth status created the data folder');
});

/** The bundle layout's version (a build of another one is never run), as scripts/node-bundle.mjs sets it. */
const BUNDLE_FORMAT = Number(/const BUNDLE_FORMAT = (\d+);/.exec(fs.readFileSync(path.join(repoRoot, 'scripts/node-bundle.mjs'), 'utf8'))![1]);
const FAKE_BUILD = `${BUNDLE_FORMAT}-fake`;

/** A bundle folder holding a fake build that only says it ran, recorded as built from `source`. */
function fakeBundle(outDir: string, source: string): void {
  const build = path.join(outDir, FAKE_BUILD);
  fs.mkdirSync(build, { recursive: true });
  fs.writeFileSync(path.join(build, 'cli.mjs'), "export const processIO = () => ({});\nexport async function runCli() { process.stdout.write('ran the fake bundle\\n'); return 0; }\n");
  const stat = fs.statSync(source);
  const input = { file: path.relative(repoRoot, source), size: stat.size, mtimeMs: stat.mtimeMs, sha256: createHash('sha256').update(fs.readFileSync(source)).digest('hex') };
  fs.writeFileSync(path.join(outDir, 'current.json'), JSON.stringify({ format: BUNDLE_FORMAT, build: FAKE_BUILD, builtAt: new Date().toISOString(), inputs: [input] }));
}

const manifestOf = (outDir: string) => JSON.parse(fs.readFileSync(path.join(outDir, 'current.json'), 'utf8')) as { build: string; inputs: Array<{ file: string; mtimeMs: number }> };

test('a bundle whose sources changed since it was built is not run: the bin rebuilds it from the sources first', () => {
  const dir = tempDir();
  const outDir = path.join(dir.path, 'bundle');
  const source = path.join(dir.path, 'source.ts');
  fs.writeFileSync(source, 'export const answer = 42;\n');
  fakeBundle(outDir, source);
  const env = { POLYSTORE_BUNDLE_DIR: outDir };
  // `--help` (`--version` alone is answered by the bin without the bundle).
  try {
    assert.is(cliProcess(['--help'], { env }).stdout, 'ran the fake bundle\n', 'a current bundle is run');

    // Touched, same content: still current (a checkout or `touch` does not force a rebuild), and the new mtime is recorded.
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(source, later, later);
    assert.is(cliProcess(['--help'], { env }).stdout, 'ran the fake bundle\n');
    assert.is(manifestOf(outDir).inputs[0]!.mtimeMs, fs.statSync(source).mtimeMs);

    // Changed: the fake is not run; the real CLI is built into the folder and answers.
    fs.writeFileSync(source, 'export const answer = 43;\n');
    const run = cliProcess(['--help'], { env });
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stdout, /Usage: polystore/);
    const rebuilt = manifestOf(outDir);
    assert.is.not(rebuilt.build, FAKE_BUILD);
    assert.ok(fs.existsSync(path.join(outDir, rebuilt.build, 'cli-session.mjs')), "the unlock session's entry is built");
    assert.ok(rebuilt.inputs.some((i) => i.file === 'main/cli/index.ts'));
    assert.ok(fs.existsSync(path.join(outDir, rebuilt.build, 'worker.mjs')));

    // Every thread parses the zod chunk at start-up: it holds zod's English messages, not its 60-odd other languages.
    const built = path.join(outDir, rebuilt.build);
    const code = fs.readdirSync(built).map((file) => fs.readFileSync(path.join(built, file), 'utf8'));
    assert.ok(code.some((text) => text.includes('Too small: expected')), "zod's English messages are missing");
    assert.not.ok(code.some((text) => text.includes('Ungültige Eingabe')), "zod's German messages were bundled");
  } finally {
    dir.remove();
  }
});

test.run();
