import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ChildKeytar, type KeytarProcess, type KeytarRequest, type KeytarResponse } from '../../../../engine/secrets/child-keytar';
import { KeychainSecretStore } from '../../../../engine/secrets/keychain';
import type { EngineError } from '../../../../engine/errors';

/**
 * ChildKeytar's protocol with the keychain process, over a fake process. The fake stands in only for
 * what cannot run here: Electron's utilityProcess (no Electron binary on this machine). Node's fork
 * of the real keytar-child is tested against the real keyring in
 * test/integration/main/cli/keychain-exit.test.ts and test/integration/main/browser-host/keychain-exit.test.ts.
 */
class FakeProcess implements KeytarProcess {
  readonly requests: KeytarRequest[] = [];
  killed = false;
  held = false;
  #message: (response: KeytarResponse) => void = () => {};
  #exit: (why: string) => void = () => {};

  send(request: KeytarRequest, _failed: (why: string) => void): void {
    this.requests.push(request);
  }
  onMessage(listener: (response: KeytarResponse) => void): void {
    this.#message = listener;
  }
  onExit(listener: (why: string) => void): void {
    this.#exit = listener;
  }
  kill(): void {
    this.killed = true;
  }
  hold(held: boolean): void {
    this.held = held;
  }
  answer(response: KeytarResponse): void {
    this.#message(response);
  }
  exit(why: string): void {
    this.#exit(why);
  }
}

function fakeSpawn() {
  const started: FakeProcess[] = [];
  const spawn = () => {
    const child = new FakeProcess();
    started.push(child);
    return child;
  };
  return { spawn, started };
}

test('calls go to one keychain process, started on the first call, and each answer settles its own call', async () => {
  const { spawn, started } = fakeSpawn();
  const keytar = new ChildKeytar(spawn);
  assert.is(started.length, 0, 'nothing starts before a call');
  const first = keytar.getPassword('svc', 'a');
  const second = keytar.setPassword('svc', 'b', 'pw');
  const third = keytar.deletePassword('svc', 'c');
  assert.is(started.length, 1);
  const child = started[0]!;
  assert.equal(
    child.requests.map(({ op, account }) => [op, account]),
    [
      ['get', 'a'],
      ['set', 'b'],
      ['delete', 'c'],
    ],
  );
  assert.ok(child.held, 'the host is held while calls are out');
  const [get, set, del] = child.requests;
  child.answer({ id: del!.id, ok: true, value: true });
  child.answer({ id: get!.id, ok: true, value: 'secret-a' });
  assert.ok(child.held, 'still held: a call is out');
  child.answer({ id: set!.id, ok: true, value: null });
  assert.is(await first, 'secret-a');
  assert.is(await second, undefined);
  assert.is(await third, true);
  assert.not.ok(child.held, 'released once no call is out');
});

test('an answer that failed rejects with its message; one that says keytar did not load is marked so', async () => {
  const { spawn, started } = fakeSpawn();
  const keytar = new ChildKeytar(spawn);
  type Failure = Error & { keytarLoad?: boolean };
  const failing = keytar.getPassword('svc', 'a').then(() => new Error('answered') as Failure, (e: unknown) => e as Failure);
  const notLoaded = keytar.getPassword('svc', 'b').then(() => new Error('answered') as Failure, (e: unknown) => e as Failure);
  const [a, b] = started[0]!.requests;
  started[0]!.answer({ id: a!.id, ok: false, message: 'No such interface' });
  started[0]!.answer({ id: b!.id, ok: false, message: 'keytar could not be loaded (ABI)', load: true });
  assert.is((await failing).message, 'No such interface');
  assert.not.ok((await failing).keytarLoad);
  assert.ok((await notLoaded).keytarLoad);
});

test('a call given up at its deadline kills the process; the next call starts a new one that the old one ending does not disturb', async () => {
  const { spawn, started } = fakeSpawn();
  const store = new KeychainSecretStore({ keytar: new ChildKeytar(spawn), timeoutMs: 20 });
  const error = (await store.get('a').catch((e: unknown) => e)) as EngineError;
  assert.is(error.code, 'KEYCHAIN_LOCKED');
  assert.is(error.details?.reason, 'KEYCHAIN_TIMEOUT');
  const stuck = started[0]!;
  assert.ok(stuck.killed, 'the stuck process was killed');

  const keytar = new ChildKeytar(spawn);
  const before = started.length;
  const call = keytar.getPassword('svc', 'x');
  keytar.abandon();
  const replacement = keytar.getPassword('svc', 'y');
  assert.is(started.length, before + 2, 'after abandon, the next call starts a new process');
  assert.match(String(await call.catch((e: unknown) => e)), /given up/);
  // The abandoned process's exit arrives late, after the new call went out: only its own calls fail.
  started[before]!.exit('the keychain process ended (SIGKILL)');
  const fresh = started[before + 1]!;
  fresh.answer({ id: fresh.requests[0]!.id, ok: true, value: 'y-secret' });
  assert.is(await replacement, 'y-secret');
});

test('a process that ends with calls out fails them with why, and the next call starts another', async () => {
  const { spawn, started } = fakeSpawn();
  const keytar = new ChildKeytar(spawn);
  const call = keytar.getPassword('svc', 'a');
  started[0]!.exit('the keychain process ended (exit code 1)');
  assert.match(String(await call.catch((e: unknown) => e)), /ended \(exit code 1\)/);
  const next = keytar.getPassword('svc', 'a');
  assert.is(started.length, 2);
  started[1]!.answer({ id: started[1]!.requests[0]!.id, ok: true, value: null });
  assert.is(await next, null);
});

test('a request that cannot be delivered fails its call instead of waiting for an answer that never comes', async () => {
  const keytar = new ChildKeytar(() => {
    const child = new FakeProcess();
    child.send = (_request, failed) => failed('the keychain process could not be reached (channel closed)');
    return child;
  });
  assert.match(String(await keytar.getPassword('svc', 'a').catch((e: unknown) => e)), /could not be reached/);
});

test.run();
