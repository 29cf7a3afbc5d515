import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AuditEvent } from '../../../../engine/contract/index';
import { humanize } from '../../../../renderer/src/lib/audit-format';

const event = (over: Partial<AuditEvent>): AuditEvent => ({
  id: 'aud_1',
  seq: 1,
  at: '2026-12-07T01:00:00.000Z',
  actor: 'Ana',
  action: 'source.created',
  sourceId: null,
  sessionId: null,
  details: {},
  ...over,
});

test('an approval reads as an action on a question, in its source and conversation; hashes and nonces are not shown', () => {
  const h = humanize(
    event({
      action: 'query.approved',
      sourceId: 'src_1',
      sessionId: 'ses_1',
      details: { messageId: 'msg_1', queryHash: 'ab12', nonce: 'n0' },
      context: { sourceName: 'Chinook', sessionTitle: 'Artists', question: 'how many artists are there', runId: null },
    }),
  );
  assert.is(h.action, 'Approved a query');
  assert.is(h.question, 'how many artists are there');
  assert.is(h.source, 'Chinook');
  assert.equal(h.conversation, { sourceId: 'src_1', sessionId: 'ses_1', title: 'Artists' });
  assert.not.match(JSON.stringify(h), /ab12|n0/);
});

test('outcomes in words: a test, a run, a model switch', () => {
  assert.is(humanize(event({ action: 'source.created' })).action, 'Added source');
  assert.is(humanize(event({ action: 'source.tested', details: { ok: false, error: 'AUTH' } })).outcome, 'failed (AUTH)');
  assert.is(humanize(event({ action: 'query.executed', details: { rowCount: 1, truncated: false } })).outcome, '1 row');
  assert.is(humanize(event({ action: 'provider.configured', details: { kind: 'offline' } })).action, 'Switched to the offline planner');
  assert.is(humanize(event({ action: 'provider.configured', details: { kind: 'openai', model: 'gpt-x' } })).action, 'Configured the model gpt-x');
  assert.is(humanize(event({ action: 'auth.locked' })).conversation, null);
});

test.run();
