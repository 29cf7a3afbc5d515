import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { channelNames, contract, type ChannelName } from '../../../../engine/contract/index';
import { EngineError, NotFoundError } from '../../../../engine/errors';
import { createRouter, type Handlers } from '../../../../engine/router/router';

/** Handlers for every channel that record calls and return `reply`. */
function spyHandlers(reply: (channel: ChannelName) => unknown = () => ({})) {
  const called: ChannelName[] = [];
  const handlers = Object.fromEntries(
    channelNames.map((c) => [c, () => (called.push(c), reply(c))]),
  ) as unknown as Handlers;
  return { called, handlers };
}

const ctx = { host: 'test' as const };
const MALFORMED: unknown[] = [42, 'text', null, [], { __unexpected: true }, { cpuProbeMs: 'fast' }];

test('a malformed payload for every channel gets VALIDATION and never reaches the handler', async () => {
  const { called, handlers } = spyHandlers();
  const router = createRouter({ handlers, isLocked: () => false });
  for (const channel of channelNames) {
    for (const payload of MALFORMED) {
      const result = await router.dispatch(channel, payload, ctx);
      assert.is(result.ok, false, `${channel} accepted ${JSON.stringify(payload)}`);
      if (!result.ok) {
        assert.is(result.error.code, 'VALIDATION', `${channel} with ${JSON.stringify(payload)}`);
        assert.ok(result.error.message.length > 0);
      }
    }
  }
  assert.equal(called, []);
});

test('unknown channels are rejected without calling anything', async () => {
  const { called, handlers } = spyHandlers();
  const router = createRouter({ handlers, isLocked: () => false });
  for (const name of ['nope', 'app.nope', '__proto__', 'constructor', 'toString', '', 42, null]) {
    const result = await router.dispatch(name, undefined, ctx);
    assert.is(result.ok, false);
    if (!result.ok) assert.is(result.error.code, 'UNKNOWN_CHANNEL', String(name));
  }
  assert.equal(called, []);
});

test('locked: every channel that is not open answers LOCKED before validation', async () => {
  const { called, handlers } = spyHandlers();
  const router = createRouter({ handlers, isLocked: () => true });
  for (const channel of channelNames.filter((c) => contract[c].access !== 'open')) {
    const result = await router.dispatch(channel, undefined, ctx);
    assert.is(result.ok ? 'ok' : result.error.code, 'LOCKED', channel);
  }
  assert.equal(called, []);
});

test('engine errors cross as values with their code; unexpected errors become INTERNAL without their text', async () => {
  const logged: unknown[] = [];
  const logger = { debug() {}, info() {}, warn() {}, error: (_m: string, f?: unknown) => logged.push(f), file: null };
  const { handlers } = spyHandlers();
  handlers['app.info'] = () => {
    throw new NotFoundError('Source', 'abc');
  };
  handlers['app.health'] = () => {
    throw new Error('connect ECONNREFUSED postgres://admin:hunter2@db/prod at /secret/path.ts:12');
  };
  const router = createRouter({ handlers, isLocked: () => false, logger });
  const notFound = await router.dispatch('app.info', undefined, ctx);
  assert.equal(notFound, { ok: false, error: { code: 'NOT_FOUND', message: 'Source abc was not found.', details: { what: 'Source', id: 'abc' } } });
  const internal = await router.dispatch('app.health', undefined, ctx);
  assert.is(internal.ok, false);
  if (!internal.ok) {
    assert.is(internal.error.code, 'INTERNAL');
    assert.not.match(JSON.stringify(internal), /hunter2|ECONNREFUSED|secret|\.ts/);
  }
  assert.is(logged.length, 1);
});

test('outputs are parsed with the channel schema: undeclared fields are stripped, invalid output is INTERNAL', async () => {
  const { handlers } = spyHandlers();
  const info = { name: 'P', version: '1', host: 'test', platform: 'x', arch: 'y', dataDir: '/d', versions: {} };
  handlers['app.info'] = () => ({ ...info, password: 'hunter2' }) as never;
  handlers['app.health'] = () => ({ status: 'weird' }) as never;
  const router = createRouter({ handlers, isLocked: () => false });
  const result = await router.dispatch('app.info', undefined, ctx);
  assert.equal(result, { ok: true, value: info });
  const bad = await router.dispatch('app.health', undefined, ctx);
  assert.is(bad.ok ? 'ok' : bad.error.code, 'INTERNAL');
});

test('onActivity fires for successful calls of gated channels only', async () => {
  const { handlers } = spyHandlers(() => ({ name: 'P', version: '1', host: 'test', platform: 'x', arch: 'y', dataDir: '/d', versions: {} }));
  const seen: string[] = [];
  const router = createRouter({ handlers, isLocked: () => false, onActivity: (c) => seen.push(c) });
  await router.dispatch('app.info', undefined, ctx);
  await router.dispatch('app.info', 42, ctx);
  assert.equal(seen, ['app.info']);
});

test('EngineError keeps code and details; the stack is not part of the wire form', async () => {
  const { handlers } = spyHandlers();
  handlers['app.info'] = () => {
    throw new EngineError('TIMEOUT', 'Took too long.', { ms: 5 });
  };
  const router = createRouter({ handlers, isLocked: () => false });
  const result = await router.dispatch('app.info', undefined, ctx);
  assert.equal(result, { ok: false, error: { code: 'TIMEOUT', message: 'Took too long.', details: { ms: 5 } } });
});

test.run();
