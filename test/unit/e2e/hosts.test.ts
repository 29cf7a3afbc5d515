import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { browserHostNeeds, classify, e2eSpecNames } from '../../../scripts/e2e-electron/plan';
import { BROWSER_HOST_ONLY, ELECTRON_SPECS } from '../../e2e/hosts';
import { repoRoot } from '../../support/tmp';

const e2eDir = path.join(repoRoot, 'test', 'e2e');
const specs = e2eSpecNames(e2eDir);

test('every E2E spec is either in the Electron run or browser-host only with a reason, never both, and no listed spec is missing', () => {
  assert.ok(specs.length >= 10, specs.join(', '));
  assert.equal(classify(specs), { unclassified: [], both: [], missing: [] }, 'classify the spec in test/e2e/hosts.ts');
  for (const [spec, reason] of Object.entries(BROWSER_HOST_ONLY)) assert.ok(reason.trim().length > 20, `${spec} needs a reason a reader can act on`);
});

test('a new spec that nobody classified is reported, as is a listed spec that was removed', () => {
  assert.equal(classify(['chat.test.ts', 'new-flow.test.ts'], ['chat.test.ts', 'gone.test.ts'], { 'x.test.ts': 'why' }), {
    unclassified: ['new-flow.test.ts'],
    both: [],
    missing: ['gone.test.ts', 'x.test.ts'],
  });
  assert.equal(classify(['a.test.ts'], ['a.test.ts'], { 'a.test.ts': 'why' }).both, ['a.test.ts']);
});

test('the specs of the Electron run use nothing only the browser host has (app.launched, channels the page cannot call)', () => {
  for (const spec of ELECTRON_SPECS) {
    assert.equal(browserHostNeeds(fs.readFileSync(path.join(e2eDir, spec), 'utf8')), [], `${spec} cannot run against the app`);
  }
});

test('what makes a spec browser-host only is recognised in its source', () => {
  assert.equal(browserHostNeeds(`app.launched.engine.db.exec('x')`), ['app.launched']);
  assert.equal(browserHostNeeds(`await app.call('sources.get', { id }); await app.call('sources.list');`), ['sources.get']);
  assert.equal(browserHostNeeds(`await app.call('query.run', { token })`), ['query.run']);
  assert.equal(browserHostNeeds(`await app.call('chat.listSessions', { sourceId }); const launchedAt = 1;`), []);
  // The specs named for these reasons really use them.
  for (const spec of ['audit-integrity.test.ts', 'sample.test.ts']) assert.ok(browserHostNeeds(fs.readFileSync(path.join(e2eDir, spec), 'utf8')).includes('app.launched'), spec);
  assert.ok(browserHostNeeds(fs.readFileSync(path.join(e2eDir, 'source-circuit.test.ts'), 'utf8')).includes('sources.get'));
});

test.run();
