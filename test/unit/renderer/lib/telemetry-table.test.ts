import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { lookupInput, slowSummary, stageRows, traceStageRows } from '../../../../renderer/src/lib/telemetry-table';

const stat = (stage: string, label: string, extra: Partial<Parameters<typeof stageRows>[0][number]> = {}) => ({
  stage, label, count: 1, errors: 0, p50Ms: 1, p95Ms: 1, tokensIn: 0, tokensOut: 0, slaMs: null, overSla: false, ...extra,
});

test('stages read as the engine names them, with readable times, tokens and targets', () => {
  const rows = stageRows([
    stat('generation', 'Writing the query', { count: 1200, p50Ms: 55.9, p95Ms: 96.7, tokensIn: 12000, tokensOut: 340, slaMs: 1500 }),
    stat('execution', 'Running the query', { count: 3, errors: 1, p50Ms: 8.4, p95Ms: 2500, slaMs: 2000, overSla: true }),
    stat('approval', 'Waiting for your approval', { p95Ms: null }),
  ]);
  assert.equal(rows.map((r) => r.stage), ['generation', 'execution', 'approval'], 'kept in the engine order');
  assert.equal(rows[0], { stage: 'generation', label: 'Writing the query', count: '1,200', errors: '0', p50: '56 ms', p95: '97 ms', sla: '≤ 1.5 s', overSla: false, tokens: '12,000 in · 340 out', hasErrors: false });
  assert.is(rows[1]!.p95, '2.5 s');
  assert.is(rows[1]!.overSla, true);
  assert.is(rows[1]!.hasErrors, true);
  assert.is(rows[2]!.sla, '—', 'no target for a person’s time');
  assert.is(rows[2]!.p95, '—');
});

test('a trace lists each stage with its target, and says which one a nested stage ran in', () => {
  const stage = (s: string, label: string, durationMs: number, extra = {}) => ({ stage: s, label, startedAt: '2026-01-01T00:00:00.000Z', durationMs, status: 'ok' as const, slaMs: null, overSla: false, within: null, ...extra });
  const rows = traceStageRows({
    traceId: 'trc_1',
    stages: [stage('generation', 'Writing the query', 40), stage('validation', 'Safety check and estimate', 5, { within: 'generation' }), stage('execution', 'Running the query', 2100, { slaMs: 2000, overSla: true, status: 'error' })],
    runs: [],
    totalMs: 2200,
    stagesMs: 2140,
    slow: true,
  });
  assert.equal(rows.map((r) => r.within), [null, 'within Writing the query', null]);
  assert.equal([rows[2]!.duration, rows[2]!.sla, rows[2]!.overSla, rows[2]!.ok], ['2.1 s', '≤ 2.0 s', true, false]);
});

test('a slow run says which stages were over and by how much', () => {
  const text = slowSummary({ traceId: 't', startedAt: 'x', runId: null, sourceId: null, over: [{ stage: 'execution', label: 'Running the query', durationMs: 2400, slaMs: 2000 }] });
  assert.is(text, 'Running the query 2.4 s (target 2.0 s)');
});

test('the lookup box takes a trace or run id, trimmed, and nothing else', () => {
  assert.equal(lookupInput('  trc_abc-1 '), { id: 'trc_abc-1' });
  assert.is(lookupInput(''), null);
  assert.is(lookupInput("x' OR 1=1"), null);
});

test.run();
