import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { stageRows } from '../../../../renderer/src/lib/telemetry-table';

test('stages are listed in the order a question travels, with readable times and tokens', () => {
  const rows = stageRows([
    { stage: 'execution', count: 3, errors: 1, p50Ms: 8.4, p95Ms: 1500, tokensIn: 0, tokensOut: 0 },
    { stage: 'generation', count: 1200, errors: 0, p50Ms: 55.9, p95Ms: 96.7, tokensIn: 12000, tokensOut: 340 },
    { stage: 'rendering', count: 2, errors: 0, p50Ms: 4, p95Ms: null, tokensIn: 0, tokensOut: 0 },
  ]);
  assert.equal(rows.map((r) => r.stage), ['generation', 'execution', 'rendering']);
  assert.equal(rows[0], { stage: 'generation', label: 'Writing the query', count: '1,200', errors: '0', p50: '56 ms', p95: '97 ms', tokens: '12,000 in · 340 out', hasErrors: false });
  assert.is(rows[1]!.p95, '1.5 s');
  assert.is(rows[1]!.hasErrors, true);
  assert.is(rows[2]!.tokens, '—');
  assert.is(rows[2]!.p95, '—');
});

test('a stage the engine adds later is still shown, after the known ones', () => {
  const rows = stageRows([{ stage: 'zz-new', count: 1, errors: 0, p50Ms: 1, p95Ms: 1, tokensIn: 0, tokensOut: 0 }, { stage: 'approval', count: 1, errors: 0, p50Ms: 1, p95Ms: 1, tokensIn: 0, tokensOut: 0 }]);
  assert.equal(rows.map((r) => [r.stage, r.label]), [['approval', 'Waiting for your approval'], ['zz-new', 'zz-new']]);
});

test.run();
