import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ColumnReader } from '../../../../engine/contract/result-columns';
import { TEST_PIN, type TestEngine } from '../../../support/engine';
import { ownerAndViewer, VIEWER_PIN } from '../../../support/viewer';

// An owner and a viewer on one engine, a CSV source shared with the viewer: what the owner
// approved, ran and stored stays the owner's, even for a viewer who learns its ids and tokens.

const QUERY = 'SELECT name FROM people ORDER BY id';
const errorOf = (r: { ok: boolean; error?: { code: string; details?: Record<string, unknown> } }) => (r.ok ? 'ok' : `${r.error!.code} ${String(r.error!.details?.reason ?? '')}`.trim());

async function token(te: TestEngine, sourceId: string): Promise<string> {
  const prepared = await te.ok('query.prepare', { sourceId, query: QUERY });
  assert.ok(prepared.approval, JSON.stringify(prepared.verdict));
  return prepared.approval.token;
}

test("a viewer holding the owner's token, run id or result id can neither run, deny, cancel nor read them; its own work goes on, and the owner's tokens still work afterwards", async () => {
  const { te, sourceId, viewerId, done } = await ownerAndViewer();
  try {
    const ownerRun = await te.ok('query.run', { token: await token(te, sourceId) });
    const toRun = await token(te, sourceId);
    const toDeny = await token(te, sourceId);
    await te.ok('auth.lock');
    await te.ok('auth.unlock', { secret: VIEWER_PIN, profileId: viewerId });

    assert.is(errorOf(await te.call('chat.result', { resultId: ownerRun.resultId })), 'FORBIDDEN NOT_SHARED', "the owner's stored result");
    assert.is(errorOf(await te.call('query.run', { token: toRun })), 'FORBIDDEN NOT_YOURS', "running the owner's approval");
    assert.is(errorOf(await te.call('query.deny', { token: toDeny })), 'FORBIDDEN NOT_YOURS', "denying the owner's approval");
    assert.is(errorOf(await te.call('query.cancel', { runId: ownerRun.runId })), 'FORBIDDEN NOT_YOURS', "cancelling the owner's run");
    assert.is(errorOf(await te.call('chat.cancel', { runId: ownerRun.runId })), 'FORBIDDEN NOT_YOURS', "cancelling the owner's run from the chat");

    // The viewer's own approval, run and result are its own.
    const mine = await te.ok('query.run', { token: await token(te, sourceId) });
    assert.equal(mine.result.rows, [['Ada'], ['Grace']]);
    assert.equal(new ColumnReader((await te.ok('chat.result', { resultId: mine.resultId })).data).rows(), [['Ada'], ['Grace']]);
    assert.equal(await te.ok('query.cancel', { runId: mine.runId }), { cancelled: false });
    const myDenial = await token(te, sourceId);

    await te.ok('auth.lock');
    await te.ok('auth.unlock', { secret: TEST_PIN });
    // Nothing the viewer tried used the owner's approvals up; the viewer's is not the owner's to decide either.
    assert.equal((await te.ok('query.run', { token: toRun })).result.rows, [['Ada'], ['Grace']]);
    assert.equal(await te.ok('query.deny', { token: toDeny }), { denied: true });
    assert.is(errorOf(await te.call('query.deny', { token: myDenial })), 'FORBIDDEN NOT_YOURS', "the owner denying the viewer's approval");
    assert.ok((await te.ok('chat.result', { resultId: mine.resultId })).data.rowCount === 2, 'the owner reads every result');
    const refusals = (await te.ok('audit.list', { limit: 50 })).events.filter((e) => e.action === 'query.refused').map((e) => [e.actor, e.details.reason]);
    assert.equal(refusals, [['Owner', 'WRONG_PROFILE'], ['Ana', 'WRONG_PROFILE'], ['Ana', 'WRONG_PROFILE']]);
  } finally {
    await done();
  }
});

test.run();
