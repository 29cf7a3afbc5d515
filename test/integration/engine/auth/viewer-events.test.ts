import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ownerAndViewer, VIEWER_PIN } from '../../../support/viewer';

// Events go to the one unlocked profile's windows: a viewer unlocked while the owner's work
// goes on must not receive that work's events.

test("a viewer's window receives no event of the owner's work that goes on after the lock (evaluation progress, the owner's conversations); its own conversation's events reach it", async () => {
  const { te, sourceId, viewerId, done } = await ownerAndViewer();
  try {
    const ownerSession = await te.ok('chat.createSession', { sourceId, title: 'Owner asks' });
    await te.ok('auth.lock');
    await te.ok('auth.unlock', { secret: VIEWER_PIN, profileId: viewerId });
    const mySession = await te.ok('chat.createSession', { sourceId, title: 'Ana asks' });
    const seen: string[] = [];
    const off = te.engine.events.subscribe((name, payload) => void seen.push(`${name} ${(payload as { sessionId?: string }).sessionId ?? ''}`.trim()));
    // What the owner's evaluation and the owner's conversation emit as their work finishes.
    te.engine.events.emit('eval.progress', {
      evalId: 'evl_1',
      sourceId,
      done: 1,
      total: 2,
      record: { line: 1, id: 'q1', question: 'who is paid most?', query: 'SELECT name FROM people', confidence: 1, outcome: 'correct', answer: null, match: 'exact', detail: '', error: null, latencyMs: 3 },
    });
    te.engine.events.emit('chat.updated', { sessionId: ownerSession.id, messageId: null });
    te.engine.events.emit('chat.running', { sessionId: ownerSession.id, messageId: 'msg_x', runId: 'run_x', state: 'finished' });
    te.engine.events.emit('chat.updated', { sessionId: mySession.id, messageId: null });
    te.engine.events.emit('sources.changed', { sourceId, change: 'status' });
    off();
    assert.equal(seen, [`chat.updated ${mySession.id}`, 'sources.changed']);
  } finally {
    await done();
  }
});

test.run();
