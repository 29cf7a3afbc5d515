import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { channelNames, contract, eventNames, events } from '../../engine/contract/index';
import { MemorySecretStore } from '../../engine/secrets/secret-store';
import { openTestEngine, TEST_PIN } from '../support/engine';

// Iterates the whole contract, so a channel added later is covered without editing this test.
// app.health: the same report the open app.health event pushes to every host while locked.
const OPEN = ['auth.status', 'auth.setup', 'auth.unlock', 'app.health'];
const PAYLOADS: unknown[] = [undefined, {}, { id: 'src_x' }, { secret: 'x' }, 42];

test('only lock status, unlock, first-run setup and engine health are open; everything else needs an unlocked profile', () => {
  assert.equal(channelNames.filter((c) => contract[c].access === 'open').sort(), [...OPEN].sort());
});

test('before setup, every gated channel answers LOCKED, whatever the payload', async () => {
  const te = await openTestEngine({ secrets: new MemorySecretStore() });
  for (const channel of channelNames.filter((c) => !OPEN.includes(c))) {
    for (const payload of PAYLOADS) {
      const result = await te.engine.router.dispatch(channel, payload, { host: 'test' });
      assert.is(result.ok ? 'ok' : result.error.code, 'LOCKED', `${channel} ${JSON.stringify(payload)}`);
    }
  }
  await te.close();
});

test('after locking, every gated channel answers LOCKED again; unlocking restores access', async () => {
  const te = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true });
  await te.ok('auth.lock');
  for (const channel of channelNames.filter((c) => !OPEN.includes(c))) {
    const result = await te.engine.router.dispatch(channel, undefined, { host: 'test' });
    assert.is(result.ok ? 'ok' : result.error.code, 'LOCKED', channel);
  }
  await te.ok('auth.unlock', { secret: TEST_PIN });
  assert.ok((await te.call('sources.list')).ok);
  await te.close();
});

test('while locked, engine health answers at once, so the lock screen does not read "Connecting…" until the first health event', async () => {
  const te = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true });
  await te.ok('auth.lock');
  const health = await te.ok('app.health');
  assert.equal([health.status, health.locked], ['ok', true]);
  await te.close();
});

test('while locked, only open events reach the hosts', async () => {
  const te = await openTestEngine({ secrets: new MemorySecretStore(), unlocked: true });
  await te.ok('auth.lock');
  const delivered: string[] = [];
  te.engine.events.subscribe((name) => delivered.push(name));
  const samples: Record<string, unknown> = {
    'app.health': { status: 'ok', locked: true, uptimeMs: 1, pool: { threads: 0, queued: 0, running: 0, completed: 0 }, checks: [], checkedAt: 'now' },
    'app.command': { command: 'go.settings' },
    'auth.changed': te.engine.lock.status(),
    'sources.changed': { sourceId: 'src_1', change: 'updated' },
    'chat.updated': { sessionId: 'ses_1', messageId: null },
    'chat.running': { sessionId: 'ses_1', messageId: 'msg_1', runId: 'run_1', state: 'running' },
    'eval.progress': {
      evalId: 'evl_1',
      sourceId: 'src_1',
      done: 1,
      total: 2,
      record: { line: 1, id: null, question: 'q', query: null, confidence: null, outcome: 'declined', answer: null, match: null, detail: 'd', error: null, latencyMs: 1 },
    },
  };
  for (const name of eventNames) {
    assert.ok(name in samples, `add a sample payload for new event ${name}`);
    te.engine.events.emit(name, samples[name] as never);
  }
  assert.equal(delivered.sort(), eventNames.filter((e) => events[e].access === 'open').sort());
  await te.close();
});

test.run();
