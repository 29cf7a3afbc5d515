import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Source } from '../../../../engine/contract/index';
import { sourceTypes } from '../../../../engine/connectors/descriptors';
import { capabilityRows, limitRows, unsupportedHint } from '../../../../renderer/src/lib/source-capabilities';

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

test.run();
