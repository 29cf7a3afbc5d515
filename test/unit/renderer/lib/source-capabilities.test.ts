import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Source, SourceTypeInfo } from '../../../../engine/contract/index';
import { descriptors, sourceTypes } from '../../../../engine/connectors/descriptors';
import { capabilityRows, limitRows, runFacts, unsupportedHint } from '../../../../renderer/src/lib/source-capabilities';

/** The facts of a kind with some capabilities switched off in its descriptor (every real store stops queries and estimates them). */
function withoutCapabilities<T>(type: Source['type'], off: Array<keyof Source['capabilities']>, fn: (kind: SourceTypeInfo) => T): T {
  const capabilities = descriptors[type].capabilities;
  descriptors[type].capabilities = { ...capabilities, ...Object.fromEntries(off.map((c) => [c, false])) };
  try {
    return fn(info(type));
  } finally {
    descriptors[type].capabilities = capabilities;
  }
}
const info = (type: Source['type']) => sourceTypes().find((t) => t.type === type)!;
const source = (type: Source['type'], settings: Partial<Source['settings']> = {}) =>
  ({ type, capabilities: info(type).capabilities, settings: { statementTimeoutMs: 30_000, rowLimit: 10_000, maxResultBytes: 64 * 1024 * 1024, ...settings } }) as unknown as Source;

test('limits read as a person says them, with the default beside a changed one', () => {
  const rows = limitRows(source('postgres', { rowLimit: 500, statementTimeoutMs: 5_000 }), info('postgres'));
  assert.equal(rows.map((r) => [r.label, r.value, r.defaultValue]), [
    ['Row limit', '500 rows', '10,000 rows'],
    ['Timeout', '5.0 s', '30 s'],
    ['Result size', '64 MB', null],
  ]);
});

test('what a store cannot do carries the engine’s hint; a control for it gets that hint', () => {
  const rows = capabilityRows(source('file'), info('file'));
  const tls = rows.find((r) => r.capability === 'tls')!;
  assert.is(tls.supported, false);
  assert.match(tls.hint ?? '', /no connection to encrypt/);
  assert.is(unsupportedHint(info('file'), 'tls'), tls.hint);
  assert.is(unsupportedHint(info('postgres'), 'cancel'), null, 'PostgreSQL can stop a running query');
  assert.is(unsupportedHint(undefined, 'cancel'), null, 'nothing disabled before the facts have loaded');
});

test('a source whose own capabilities lack one shows it unsupported even if its kind has it', () => {
  const s = source('postgres');
  const lacking = { ...s, capabilities: { ...s.capabilities, explain: false } } as Source;
  assert.is(capabilityRows(lacking, info('postgres')).find((r) => r.capability === 'explain')!.supported, false);
});

test('the query card line gives the source’s own limits and says what the store can do, with the reason on hover for what it cannot', () => {
  const facts = runFacts(source('postgres', { rowLimit: 500, statementTimeoutMs: 5_000 }), info('postgres'));
  assert.is(facts.map((f) => f.text).join(' · '), 'Row limit 500 · timeout 5.0 s · cost estimate: yes · can stop: yes');
  assert.match(facts.find((f) => f.key === 'explain')!.title, /Cost estimate before you approve/);

  const lacking = withoutCapabilities('postgres', ['cancel', 'explain'], (kind) => runFacts(source('postgres'), kind));
  assert.is(lacking.map((f) => f.text).join(' · '), 'Row limit 10,000 · timeout 30 s · cost estimate: no · can stop: no');
  assert.is(lacking.find((f) => f.key === 'cancel')!.title, "PostgreSQL cannot stop a query once it runs: it ends at the source's timeout.");
  assert.match(lacking.find((f) => f.key === 'explain')!.title, /PostgreSQL cannot estimate a query before it runs/);
});

test('a control bound to a capability the kind lacks is disabled with the engine’s words (every real store stops queries, so the kind is changed here)', () => {
  const hint = withoutCapabilities('postgres', ['cancel'], (kind) => unsupportedHint(kind, 'cancel'));
  assert.is(hint, "PostgreSQL cannot stop a query once it runs: it ends at the source's timeout.");
  assert.is(unsupportedHint(info('file'), 'writeCheck'), 'Files (CSV, JSON, Parquet) has no login to check.');
  assert.is(unsupportedHint(info('mongodb'), 'schemaBrowse'), null);
});

test.run();
