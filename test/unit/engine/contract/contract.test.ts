import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { buildApi, ListenerRegistry, type Transport } from '../../../../engine/contract/api';
import { channelNames, contract, eventNames, events, type ChannelName, type EventName } from '../../../../engine/contract/index';

test('every channel is named group.verb and declares input and output schemas and a summary', () => {
  assert.ok(channelNames.length > 0);
  for (const name of channelNames) {
    assert.match(name, /^[a-z]+\.[a-zA-Z]+$/, `${name} is not group.verb`);
    const def = contract[name];
    assert.ok(def.input instanceof z.ZodType, `${name} has no input schema`);
    assert.ok(def.output instanceof z.ZodType, `${name} has no output schema`);
    assert.ok(def.summary.length > 10, `${name} has no summary`);
    assert.ok(def.access === 'open' || def.access === 'unlocked');
  }
});

test('every event declares a payload schema', () => {
  for (const name of eventNames) assert.ok(events[name].payload instanceof z.ZodType, name);
});

function recordingTransport() {
  const calls: Array<[ChannelName, unknown]> = [];
  const registry = new ListenerRegistry();
  const transport: Transport = {
    invoke: async (channel, payload) => {
      calls.push([channel, payload]);
      return { ok: true, value: channel };
    },
    subscribe: (event, deliver) => registry.add(event, deliver),
  };
  return { calls, registry, transport };
}

test('the generated API has exactly one function per channel, grouped by the part before the dot', async () => {
  const { calls, transport } = recordingTransport();
  const api = buildApi(transport) as unknown as Record<string, Record<string, (input?: unknown) => Promise<unknown>>>;
  const exposed: string[] = [];
  for (const [group, verbs] of Object.entries(api)) {
    if (group === 'on') continue;
    for (const [verb, fn] of Object.entries(verbs)) {
      exposed.push(`${group}.${verb}`);
      assert.type(fn, 'function');
    }
  }
  assert.equal(exposed.sort(), [...channelNames].sort());
  await api.app!.info!({ x: 1 });
  assert.equal(calls, [['app.info', { x: 1 }]]);
  // No generic invoke leaks into the page.
  assert.not.ok('invoke' in api);
  assert.ok(Object.isFrozen(api));
});

test('on() rejects unknown events', () => {
  const api = buildApi(recordingTransport().transport);
  assert.throws(() => api.on('nope.event' as EventName, () => {}), /Unknown event/);
});

test('unsubscribe really removes the listener, even when the same function is registered twice', () => {
  const { registry, transport } = recordingTransport();
  const api = buildApi(transport);
  const seen: unknown[] = [];
  const listener = (p: unknown) => seen.push(p);
  const offA = api.on('app.health', listener);
  const offB = api.on('app.health', listener);
  registry.emit('app.health', 1);
  assert.equal(seen, [1, 1]);
  offA();
  registry.emit('app.health', 2);
  assert.equal(seen, [1, 1, 2]);
  offA(); // a second call is harmless and removes nothing else
  registry.emit('app.health', 3);
  assert.equal(seen, [1, 1, 2, 3]);
  offB();
  registry.emit('app.health', 4);
  assert.equal(seen, [1, 1, 2, 3]);
  assert.is(registry.count(), 0);
});

test.run();
