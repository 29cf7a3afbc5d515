import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ChatMessage, MessagePayload } from '../../../../engine/contract/index';
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

test('the latest undecided query is the one that can be approved', () => {
  const t = thread();
  t.query('q1', t.question('u1'));
  const index = indexThread(t.messages);
  assert.is(index.pendingQueryId, 'q1');
  assert.is(index.queries.get('q1')?.status, 'pending');
});

test('a denied query is not approvable and says so', () => {
  const t = thread();
  t.query('q1', t.question('u1'));
  t.decision('d1', 'q1', 'denied');
  const index = indexThread(t.messages);
  assert.is(index.pendingQueryId, null);
  assert.is(index.queries.get('q1')?.status, 'denied');
});

test('an approved query links to its result', () => {
  const t = thread();
  t.query('q1', t.question('u1'));
  t.decision('d1', 'q1', 'approved');
  t.result('r1', 'q1');
  const q = indexThread(t.messages).queries.get('q1');
  assert.equal(q, { status: 'approved', replacedBy: null, resultMessageId: 'r1', errorMessageId: null });
});

test('an edited query supersedes the original: only the edit can be approved', () => {
  const t = thread();
  t.query('q1', t.question('u1'));
  t.query('q2', 'u1', { editedFrom: 'q1', query: 'SELECT 1' });
  const index = indexThread(t.messages);
  assert.is(index.queries.get('q1')?.status, 'replaced');
  assert.is(index.queries.get('q1')?.replacedBy, 'q2');
  assert.is(index.pendingQueryId, 'q2');
});

test('editing a query that already ran keeps the original marked as approved', () => {
  const t = thread();
  t.query('q1', t.question('u1'));
  t.decision('d1', 'q1', 'approved');
  t.result('r1', 'q1');
  t.query('q2', 'u1', { editedFrom: 'q1' });
  const index = indexThread(t.messages);
  assert.is(index.queries.get('q1')?.status, 'approved');
  assert.is(index.pendingQueryId, 'q2');
});

test('a follow-up question leaves an undecided earlier query behind (skipped)', () => {
  const t = thread();
  t.query('q1', t.question('u1'));
  t.question('u2', 'now only for 2023');
  let index = indexThread(t.messages);
  assert.is(index.queries.get('q1')?.status, 'skipped');
  assert.is(index.pendingQueryId, null, 'nothing approvable while the follow-up is being answered');
  t.query('q2', 'u2');
  index = indexThread(t.messages);
  assert.is(index.pendingQueryId, 'q2');
});

test('a follow-up that was declined still leaves the earlier query behind', () => {
  const t = thread();
  t.query('q1', t.question('u1'));
  t.declined('x1', t.question('u2', 'drop everything'));
  assert.is(indexThread(t.messages).queries.get('q1')?.status, 'skipped');
});

test('a query the guardrail refused is never approvable, even as the latest', () => {
  const t = thread();
  t.query('q1', t.question('u1'), { verdict: { allowed: false, reasons: [{ code: 'NOT_A_QUERY', message: 'Only reads.' }], statementKind: 'delete' } });
  const index = indexThread(t.messages);
  assert.is(index.queries.get('q1')?.status, 'refused');
  assert.is(index.pendingQueryId, null);
  assert.is(index.latestQueryId, 'q1');
});

test('a query the database rejected at EXPLAIN got no approval: refused, not waiting for one', () => {
  const t = thread();
  t.query('q1', t.question('u1'), { explainError: 'column "ticket_price" does not exist', approvalExpiresAt: null });
  t.query('q2', t.question('u2'), { explainError: 'This store cannot explain queries.', approvalExpiresAt: '2026-01-01T12:05:00.000Z' });
  const index = indexThread(t.messages);
  assert.is(index.queries.get('q1')?.status, 'refused');
  assert.is(rejectedByStore(t.messages[1]!.payload as QueryMessage['payload']), true);
  assert.is(index.queries.get('q2')?.status, 'pending', 'no estimate is no rejection: it has its approval');
  assert.is(rejectedByStore(t.messages[3]!.payload as QueryMessage['payload']), false);
});

test('an approval the engine refused (expired) marks the query failed, and Validate again is offered', () => {
  const t = thread();
  t.query('q1', t.question('u1'));
  t.error('e1', 'q1', 'approval');
  const index = indexThread(t.messages);
  assert.is(index.queries.get('q1')?.status, 'failed');
  assert.is(index.queries.get('q1')?.errorMessageId, 'e1');
  assert.ok(canValidateAgain(index, 'q1', false));
  assert.ok(isExpiredApproval(index.byId.get('e1')!.payload));
});

test('an execution error follows an approval: the query ran, so there is nothing to validate again', () => {
  const t = thread();
  t.query('q1', t.question('u1'));
  t.decision('d1', 'q1', 'approved');
  t.error('e1', 'q1', 'execution', 'relation "x" does not exist');
  const index = indexThread(t.messages);
  assert.is(index.queries.get('q1')?.status, 'approved');
  assert.not.ok(canValidateAgain(index, 'q1', false));
  assert.not.ok(isExpiredApproval(index.byId.get('e1')!.payload));
});

test('Validate again: only for the latest query without a live token', () => {
  const t = thread();
  t.query('q1', t.question('u1'));
  const index = indexThread(t.messages);
  assert.ok(canValidateAgain(index, 'q1', false), 'token lost on reload or expired');
  assert.not.ok(canValidateAgain(index, 'q1', true), 'a live token approves directly');
  t.query('q2', 'u1', { editedFrom: 'q1' });
  assert.not.ok(canValidateAgain(indexThread(t.messages), 'q1', false), 'a replaced query is not validated again');
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
  const index = indexThread(t.messages);
  assert.is(questionFor(index, index.byId.get('q1') as QueryMessage), 'top 5 artists');
});

test.run();
