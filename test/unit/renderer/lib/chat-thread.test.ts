import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChatMessage, MessagePayload, QueryState } from '../../../../engine/contract/index';
import { canValidateAgain, groupTurns, indexThread, isExpiredApproval, questionFor, rejectedByStore, type QueryMessage } from '../../../../renderer/src/lib/chat-thread';

type QueryPayload = Extract<MessagePayload, { kind: 'query' }>;

/** A small thread builder: each call appends a message with the next seq. */
function thread() {
  const messages: ChatMessage[] = [];
  const add = (id: string, role: ChatMessage['role'], payload: MessagePayload) => {
    messages.push({ id, sessionId: 'ses_1', seq: messages.length + 1, role, payload, createdAt: new Date(2026, 0, 1, 12, 0, messages.length).toISOString() });
    return id;
  };
  return {
    messages,
    question: (id: string, text = 'how many customers are there') => add(id, 'user', { kind: 'question', text }),
    query: (id: string, questionId: string | null, extra: Partial<QueryPayload> = {}) =>
      add(id, 'assistant', {
        kind: 'query',
        questionId,
        editedFrom: null,
        dialect: 'postgres',
        query: 'SELECT COUNT(*) FROM customer',
        explanation: 'Counts customers.',
        confidence: 0.9,
        confidenceScale: null,
        author: { kind: 'offline', provider: 'offline planner', model: null },
        verdict: { allowed: true, reasons: [], statementKind: 'select' },
        explain: null,
        explainError: null,
        attempts: [],
        ledgerEntries: 0,
        approvalExpiresAt: null,
        traceId: `trc_${id}`,
        plan: null,
        verified: null,
        ...extra,
      }),
    decision: (id: string, queryMessageId: string, decision: 'approved' | 'denied') => add(id, 'event', { kind: 'decision', queryMessageId, decision }),
    result: (id: string, queryMessageId: string) =>
      add(id, 'assistant', { kind: 'result', queryMessageId, runId: 'run_1', resultId: 'res_1', rowCount: 1, truncated: false, columns: [], latencyMs: 3, preview: [[59]] }),
    error: (id: string, relatedMessageId: string, stage: 'approval' | 'execution' | 'generation', message = 'This approval expired before the query was run.') =>
      add(id, 'assistant', { kind: 'error', stage, code: stage === 'approval' ? 'APPROVAL' : 'CONNECTOR', message, hint: null, reason: stage === 'approval' && /expired/.test(message) ? 'EXPIRED' : null, relatedMessageId }),
    declined: (id: string, questionId: string) =>
      add(id, 'assistant', { kind: 'declined', questionId, reason: 'no', suggestions: ['How many albums are there?'], author: { kind: 'offline', provider: 'offline planner', model: null } }),
    renamed: (id: string) => add(id, 'event', { kind: 'renamed', title: 'Customers' }),
  };
}

/** The engine's answer about a query, as chat.getSession carries it. */
const state = (messageId: string, status: QueryState['status'], extra: Partial<QueryState> = {}): QueryState => ({
  messageId,
  status,
  replacedBy: null,
  resultMessageId: null,
  errorMessageId: null,
  runId: null,
  approvalExpiresAt: '2026-01-01T12:05:00.000Z',
  statementStarted: null,
  ...extra,
});

test('the thread shows what the engine decided: each status, and the one query that may be approved', () => {
  const t = thread();
  t.query('q1', t.question('u1'));
  t.question('u2');
  t.query('q2', 'u2');
  const index = indexThread(t.messages, { queries: [state('q1', 'skipped'), state('q2', 'pending')], pendingQueryId: 'q2' });
  assert.equal([index.queries.get('q1')?.status, index.queries.get('q2')?.status, index.pendingQueryId, index.latestQueryId], ['skipped', 'pending', 'q2', 'q2']);
});

test('nothing is derived in the window: a query the engine has not described yet has no state, and its word on a message of another thread is ignored', () => {
  const t = thread();
  t.query('q1', t.question('u1'));
  t.decision('d1', 'q1', 'approved');
  t.result('r1', 'q1');
  const index = indexThread(t.messages, { queries: [state('q_other', 'pending')], pendingQueryId: 'q_other' });
  assert.is(index.queries.get('q1'), undefined, 'a decision and a result in the thread do not make it done here');
  assert.is(index.pendingQueryId, null);
});

test('a query the database rejected at EXPLAIN is told apart from one the store cannot estimate', () => {
  const t = thread();
  t.query('q1', t.question('u1'), { explainError: 'column "ticket_price" does not exist', approvalExpiresAt: null });
  t.query('q2', t.question('u2'), { explainError: 'This store cannot explain queries.', approvalExpiresAt: '2026-01-01T12:05:00.000Z' });
  assert.is(rejectedByStore(t.messages[1]!.payload as QueryMessage['payload']), true);
  assert.is(rejectedByStore(t.messages[3]!.payload as QueryMessage['payload']), false);
});

test('Validate again: for the latest query the engine says expired, or pending without a live token in this window', () => {
  const t = thread();
  t.query('q1', t.question('u1'));
  t.error('e1', 'q1', 'approval');
  const expired = indexThread(t.messages, { queries: [state('q1', 'expired', { errorMessageId: 'e1' })], pendingQueryId: null });
  assert.ok(canValidateAgain(expired, 'q1', true));
  assert.ok(isExpiredApproval(expired.byId.get('e1')!.payload));
  const pending = indexThread(t.messages, { queries: [state('q1', 'pending')], pendingQueryId: 'q1' });
  assert.ok(canValidateAgain(pending, 'q1', false), 'token lost on reload');
  assert.not.ok(canValidateAgain(pending, 'q1', true), 'a live token approves directly');
  for (const status of ['done', 'failed', 'denied', 'replaced', 'unknown'] as const) {
    assert.not.ok(canValidateAgain(indexThread(t.messages, { queries: [state('q1', status)], pendingQueryId: null }), 'q1', false), status);
  }
  t.query('q2', 'u1', { editedFrom: 'q1' });
  assert.not.ok(canValidateAgain(indexThread(t.messages, { queries: [state('q1', 'expired')], pendingQueryId: null }), 'q1', false), 'only the latest');
});

test('turns group a question with everything that answered it; events before any question get a turn of their own', () => {
  const t = thread();
  t.renamed('n0');
  const u1 = t.question('u1');
  t.query('q1', u1);
  t.decision('d1', 'q1', 'approved');
  t.result('r1', 'q1');
  t.question('u2', 'break it down by country');
  t.query('q2', 'u2');
  const turns = groupTurns([...t.messages].reverse());
  assert.equal(
    turns.map((x) => [x.question?.id ?? null, x.replies.map((m) => m.id)]),
    [
      [null, ['n0']],
      ['u1', ['q1', 'd1', 'r1']],
      ['u2', ['q2']],
    ],
  );
});

test('a query knows the question it answers', () => {
  const t = thread();
  t.query('q1', t.question('u1', 'top 5 artists'));
  const index = indexThread(t.messages, { queries: [], pendingQueryId: null });
  assert.is(questionFor(index, index.byId.get('q1') as QueryMessage), 'top 5 artists');
});

test.run();
