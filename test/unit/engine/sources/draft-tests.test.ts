import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ConnectionTestResult } from '../../../../engine/connectors/types';
import { DraftTests } from '../../../../engine/sources/draft-tests';

const passed = { ok: true, latencyMs: 4, serverVersion: 'PostgreSQL 17', canWrite: false } as unknown as ConnectionTestResult;
const details = (password: string) => ({ type: 'postgres', connection: { host: 'db', port: 5432 }, password });

test('a form test counts once, for exactly the details tested (the password included)', () => {
  const drafts = new DraftTests(() => 0);
  drafts.remember(details('right'), passed);
  assert.is(drafts.take(details('wrong')), null);
  assert.is(drafts.take(details('right')), passed);
  assert.is(drafts.take(details('right')), null, 'used once');
});

test('a test older than 15 minutes no longer counts for a new source', () => {
  let now = 0;
  const drafts = new DraftTests(() => now);
  drafts.remember(details('pw'), passed);
  now = 16 * 60_000;
  assert.is(drafts.take(details('pw')), null);
});

test.run();
