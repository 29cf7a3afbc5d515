import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { MessageApproval } from '../../../../engine/approval/approvals';
import { deriveQueryStates } from '../../../../engine/approval/query-status';
import type { ChatMessage, MessagePayload } from '../../../../engine/contract/index';
import type { RunFact } from '../../../../engine/query/run-ledger';

type QueryPayload = Extract<MessagePayload, { kind: 'query' }>;
const NOW = Date.parse('2026-01-01T12:00:00.000Z');
const LIVE = '2026-01-01T12:02:00.000Z';
const GONE = '2026-01-01T11:58:00.000Z';

/** A conversation as the engine records it: messages, the approvals of its queries, and their runs. */
function conversation() {
  const messages: ChatMessage[] = [];
  const approvals: MessageApproval[] = [];
  const runs: RunFact[] = [];
  const add = (id: string, role: ChatMessage['role'], payload: MessagePayload) => {
    messages.push({ id, sessionId: 'ses_1', seq: messages.length + 1, role, payload, createdAt: new Date(NOW - 60_000 + messages.length).toISOString() });
    return id;
  };
  const c = {
    question: (id: string) => add(id, 'user', { kind: 'question', text: 'how many customers are there' }),
    /** A query the guardrail allowed, with an approval expiring at `expiresAt` (null: none issued). */
    query: (id: string, extra: Partial<QueryPayload> & { expiresAt?: string | null; used?: MessageApproval['used'] } = {}) => {
      const { expiresAt = LIVE, used = null, ...payload } = extra;
      add(id, 'assistant', {
        kind: 'query',
        questionId: null,
        editedFrom: null,
        dialect: 'postgres',
        query: 'SELECT COUNT(*) FROM customer',
        explanation: 'Counts customers.',
        confidence: null,
        confidenceScale: null,
        author: { kind: 'offline', provider: 'offline planner', model: null },
        verdict: { allowed: true, reasons: [], statementKind: 'select' },
        explain: null,
        explainError: null,
        attempts: [],
        ledgerEntries: 0,
        approvalExpiresAt: expiresAt,
        traceId: `trc_${id}`,
        plan: null,
        verified: null,
        ...payload,
      });
      if (expiresAt) approvals.push({ messageId: id, nonce: `n_${id}`, expiresAt, used });
      return id;
    },
    use: (id: string, used: MessageApproval['used']) => {
      approvals.find((a) => a.messageId === id)!.used = used;
    },
    run: (messageId: string, state: RunFact['state'], statementStarted: boolean | null = state === 'failed' ? true : null) => {
      runs.push({ runId: `run_${messageId}_${runs.length}`, messageId, startedAt: GONE, state, statementStarted, resultId: state === 'succeeded' ? 'res_1' : null, errorCode: null, errorMessage: null });
    },
    result: (id: string, queryMessageId: string) =>
      add(id, 'assistant', { kind: 'result', queryMessageId, runId: 'run_1', resultId: 'res_1', rowCount: 1, truncated: false, columns: [], latencyMs: 3, preview: [[59]] }),
    decision: (id: string, queryMessageId: string, decision: 'approved' | 'denied') => add(id, 'event', { kind: 'decision', queryMessageId, decision }),
    states: (now = NOW) => deriveQueryStates({ messages, approvals, runs, now }),
    status: (id: string, now = NOW) => c.states(now).queries.find((q) => q.messageId === id)?.status,
  };
  return c;
}

test('the latest query with a live, unused approval is the one pending; nothing else is', () => {
  const c = conversation();
  c.question('u1');
  c.query('q1');
  assert.equal([c.status('q1'), c.states().pendingQueryId], ['pending', 'q1']);
});

test('its approval running out makes it expired, not pending', () => {
  const c = conversation();
  c.query('q1', { expiresAt: GONE });
  assert.equal([c.status('q1'), c.states().pendingQueryId], ['expired', null]);
});

test('an edited query replaces the original: only the edit is pending; an edit of a query that ran leaves it done', () => {
  const c = conversation();
  c.query('q1');
  c.query('q2', { editedFrom: 'q1' });
  assert.equal([c.status('q1'), c.status('q2'), c.states().queries[0]!.replacedBy], ['replaced', 'pending', 'q2']);

  const ran = conversation();
  ran.query('q1', { used: 'consumed' });
  ran.run('q1', 'succeeded');
  ran.result('r1', 'q1');
  ran.query('q2', { editedFrom: 'q1' });
  assert.equal([ran.status('q1'), ran.states().queries[0]!.resultMessageId], ['done', 'r1']);
});

test('a newer question leaves an undecided query skipped, even before it has an answer', () => {
  const c = conversation();
  c.question('u1');
  c.query('q1');
  c.question('u2');
  assert.equal([c.status('q1'), c.states().pendingQueryId], ['skipped', null]);
});

test('refused: the guardrail said no, or no approval was issued (the database rejected it at EXPLAIN)', () => {
  const c = conversation();
  c.query('q1', { verdict: { allowed: false, reasons: [], statementKind: 'delete' }, expiresAt: null });
  c.query('q2', { explainError: 'column "x" does not exist', expiresAt: null });
  assert.equal([c.status('q1'), c.status('q2'), c.states().pendingQueryId], ['refused', 'refused', null]);
});

test('denied, by the approval record or the thread', () => {
  const c = conversation();
  c.query('q1', { used: 'denied' });
  assert.is(c.status('q1'), 'denied');
});

test('a run decides: running, done, failed (a cancel too), and unknown when its process ended before the outcome', () => {
  for (const [state, status] of [['running', 'running'], ['succeeded', 'done'], ['failed', 'failed'], ['cancelled', 'failed'], ['unknown', 'unknown']] as const) {
    const c = conversation();
    c.query('q1', { used: 'consumed' });
    c.run('q1', state);
    assert.is(c.status('q1'), status, state);
    assert.is(c.states().pendingQueryId, null);
  }
});

test('a run that failed before its statement reached the server gave the approval back: pending again while it lasts, and it says why', () => {
  const c = conversation();
  c.query('q1');
  c.run('q1', 'failed', false);
  const state = c.states().queries[0]!;
  assert.equal([state.status, state.statementStarted, c.states().pendingQueryId], ['pending', false, 'q1']);
  assert.is(c.status('q1', Date.parse(LIVE) + 1), 'expired');
  c.use('q1', 'consumed');
  c.run('q1', 'failed', true);
  assert.is(c.status('q1'), 'failed', 'a second run that may have started uses it up');
});

test('an approval used with no run recorded (a profile from before runs were recorded at approval) shows as approved', () => {
  const c = conversation();
  c.query('q1', { used: 'consumed' });
  c.decision('d1', 'q1', 'approved');
  assert.is(c.status('q1'), 'approved');
});

test.run();
