/**
 * npm run test:e2e:electron: the E2E specs test/e2e/hosts.ts lists for the Electron run, against
 * the packaged app, on a Mac. Ends with one line, `N passed, N failed`, like scripts/test.mjs.
 *
 *   E2E_APP=/Applications/PolyStoreIQ.app/Contents/MacOS/PolyStoreIQ npm run test:e2e:electron [filter]
 *
 * E2E_CHROMIUM_VERSION (optional) is the Chromium inside the app; without it the app is started once
 * to ask. E2E_CHROMEDRIVER (optional) is a chromedriver of that major version; without it WebdriverIO
 * fetches the matching one (Chrome for Testing) into WEBDRIVER_CACHE_DIR or the temp folder.
 * It fails when E2E_APP is missing, a listed spec is missing, or nothing ran: never an empty pass.
 */
import { execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkDriverMatches, E2EHostError, validateAppExecutable, validateChromiumVersion } from '../../test/support/e2e-hosts';
import { probeChromiumVersion } from './chromium-version';
import { electronSpecFiles, fileOutcome, RunPlanError, type FileOutcome } from './plan';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** One spec against the app: generous, a cold app start on a shared runner included (a liveness bound, not a target). */
const FILE_TIMEOUT_MS = 15 * 60_000;

function fail(message: string): never {
  console.error(`test:e2e:electron: ${message}`);
  console.log('0 passed, 1 failed');
  process.exit(1);
}

function runSpec(file: string, env: NodeJS.ProcessEnv): Promise<FileOutcome & { output: string; ms: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', file], {
      cwd: root,
      env: { ...env, FORCE_COLOR: '0', NO_COLOR: '1', POLYSTORE_TEST_SUITE: 'e2e' },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a timeout ends the spec, its chromedriver and the app together.
      detached: true,
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d));
    child.stderr.on('data', (d: Buffer) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[e2e-electron] ${path.relative(root, file)} exceeded ${FILE_TIMEOUT_MS / 1000}s and was killed\n`;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, FILE_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ ...fileOutcome(output, code), output, ms: Date.now() - started });
    });
  });
}

async function main(): Promise<void> {
  const filter = process.argv[2];
  let app: string;
  let chromiumVersion: string;
  let files: string[];
  try {
    app = validateAppExecutable(process.env.E2E_APP);
    files = electronSpecFiles(path.join(root, 'test', 'e2e'), filter);
    chromiumVersion = process.env.E2E_CHROMIUM_VERSION
      ? validateChromiumVersion(process.env.E2E_CHROMIUM_VERSION)
      : validateChromiumVersion(await probeChromiumVersion(app).catch((error: unknown) => fail(`could not read the app's Chromium version (set E2E_CHROMIUM_VERSION): ${String(error)}`)));
    if (process.env.E2E_CHROMEDRIVER) {
      const output = execFileSync(process.env.E2E_CHROMEDRIVER, ['--version'], { encoding: 'utf8', timeout: 30_000 });
      checkDriverMatches(output, chromiumVersion);
    }
  } catch (error) {
    if (error instanceof E2EHostError || error instanceof RunPlanError) fail(error.message);
    throw error;
  }
  console.log(`app ${app}, Chromium ${chromiumVersion}, chromedriver ${process.env.E2E_CHROMEDRIVER ?? `fetched by WebdriverIO for ${chromiumVersion}`}`);
  const env = { ...process.env, E2E_HOST: 'electron', E2E_APP: app, E2E_CHROMIUM_VERSION: chromiumVersion };
  let passed = 0;
  let failed = 0;
  const notRun: string[] = [];
  for (const file of files) {
    const r = await runSpec(file, env);
    passed += r.passed;
    failed += r.failed;
    notRun.push(...r.notRun.map((t) => `${path.basename(file)}: ${t}`));
    const name = path.relative(path.join(root, 'test'), file);
    console.log(`${r.failed ? 'FAIL' : 'ok  '} e2e:electron ${name.padEnd(52)} ${String(r.passed).padStart(4)} passed ${r.failed ? `${r.failed} failed ` : ''}(${(r.ms / 1000).toFixed(1)}s)`);
    if (r.failed) console.log(r.output.split('\n').map((l) => '    | ' + l).join('\n'));
  }
  if (notRun.length) {
    console.log(`${notRun.length} test(s) not in the Electron run (browser host only; the browser-host suite runs them):`);
    for (const line of notRun) console.log(`  - ${line}`);
  }
  if (passed === 0 && failed === 0) failed = 1; // nothing ran is not a pass
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

await main();
