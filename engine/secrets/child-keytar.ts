import { fork } from 'node:child_process';
import type { Keytar } from './keychain';

/** Host to the keychain process. */
export type KeytarRequest =
  | { id: number; op: 'get'; service: string; account: string }
  | { id: number; op: 'set'; service: string; account: string; password: string }
  | { id: number; op: 'delete'; service: string; account: string };

/** The keychain process's answer; `load` when keytar itself could not be loaded there. */
export type KeytarResponse = { id: number; ok: true; value: string | boolean | null } | { id: number; ok: false; message: string; load?: boolean };

/** Omit over each member of a union (TypeScript's Omit merges the members). */
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

/** One keychain process, however it was started: Node's fork (forkKeytar) or Electron's utilityProcess (main/electron). */
export interface KeytarProcess {
  /** Sends a request; `failed` hears why when it cannot be delivered. */
  send(request: KeytarRequest, failed: (why: string) => void): void;
  onMessage(listener: (response: KeytarResponse) => void): void;
  /** Called once, when the process has ended or could not start. */
  onExit(listener: (why: string) => void): void;
  /** Ends the process at once: a call in it is stuck, so no cooperation is asked. */
  kill(): void;
  /** Whether the process keeps the host alive; a Node host is held only while a call is out. Hosts that live by their windows leave it out. */
  hold?(held: boolean): void;
}

/** Starts a keychain process running engine/secrets/keytar-child.ts (or its bundle). */
export type KeytarSpawn = () => KeytarProcess;

interface Pending {
  child: KeytarProcess;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * Node's child_process.fork of keytar-child.ts (run through tsx) or its bundle, keytar-child.mjs:
 * for the CLI and the browser host. The process and its channel are unreferenced while no call is
 * out, so an idle keychain process never keeps the host from exiting.
 */
export function forkKeytar(entry: string): KeytarSpawn {
  return () => {
    const child = fork(entry, [], {
      execArgv: entry.endsWith('.ts') ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
    });
    let ended = false;
    const exitListeners: Array<(why: string) => void> = [];
    const end = (why: string) => {
      if (ended) return;
      ended = true;
      for (const listener of exitListeners) listener(why);
    };
    child.on('exit', (code, signal) => end(`the keychain process ended (${signal ?? `exit code ${code}`})`));
    // A closed channel answers nothing more, even before the process has gone.
    child.on('disconnect', () => end('the keychain process closed its channel'));
    // A process that could not be started emits 'error' and never 'exit'.
    child.on('error', (error) => {
      if (child.pid === undefined) end(`the keychain process could not start (${error.message})`);
    });
    return {
      send(request, failed) {
        if (!child.connected) return failed('the keychain process could not be reached (its channel is closed)');
        child.send(request, (error) => {
          if (error) failed(`the keychain process could not be reached (${error.message})`);
        });
      },
      onMessage: (listener) => void child.on('message', (message) => listener(message as KeytarResponse)),
      onExit(listener) {
        exitListeners.push(listener);
      },
      kill: () => void child.kill('SIGKILL'),
      hold(held) {
        const channel = child.channel as { ref?(): void; unref?(): void } | null | undefined;
        if (held) {
          child.ref();
          channel?.ref?.();
        } else {
          child.unref();
          channel?.unref?.();
        }
      },
    };
  };
}

/**
 * keytar in a process of its own (engine/secrets/keytar-child.ts), for every host. In-process, a
 * keychain call that misses its deadline keeps running on a libuv thread, and Node waits for that
 * thread when it exits (a finished command stayed 51-60 s with a frozen keyring daemon; the browser
 * host lingered as long after Ctrl-C). Here the store's give-up (`abandon`) kills the keychain
 * process, so the host ends as soon as it is done. The process starts on the first call.
 */
export class ChildKeytar implements Keytar {
  readonly #spawn: KeytarSpawn;
  #child: KeytarProcess | null = null;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  /** `spawn` starts the keychain process; a path is the entry for Node's fork (forkKeytar). */
  constructor(spawn: KeytarSpawn | string) {
    this.#spawn = typeof spawn === 'string' ? forkKeytar(spawn) : spawn;
  }

  getPassword(service: string, account: string): Promise<string | null> {
    return this.#call({ op: 'get', service, account }) as Promise<string | null>;
  }

  async setPassword(service: string, account: string, password: string): Promise<void> {
    await this.#call({ op: 'set', service, account, password });
  }

  deletePassword(service: string, account: string): Promise<boolean> {
    return this.#call({ op: 'delete', service, account }) as Promise<boolean>;
  }

  /** Ends the keychain process at once (a call in it is stuck); its calls still out fail, the next call starts a new one. */
  abandon(): void {
    const child = this.#child;
    this.#child = null;
    if (!child) return;
    child.kill();
    this.#failAll(child, new Error('the keychain call was given up'));
  }

  /** Ends the keychain process, for a host that closes. */
  close(): void {
    this.abandon();
  }

  #call(request: WithoutId<KeytarRequest>): Promise<unknown> {
    const child = this.#running();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { child, resolve, reject });
      child.hold?.(true);
      child.send({ ...request, id } as KeytarRequest, (message) => this.#settle(id, { id, ok: false, message }));
    });
  }

  #running(): KeytarProcess {
    if (this.#child) return this.#child;
    const child = this.#spawn();
    child.onMessage((response) => this.#settle(response.id, response));
    child.onExit((why) => {
      if (this.#child === child) this.#child = null;
      // Only this process's calls: an abandoned process may end after the next one has started.
      this.#failAll(child, new Error(why));
    });
    this.#child = child;
    child.hold?.(false);
    return child;
  }

  #settle(id: number, response: KeytarResponse): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (response.ok) pending.resolve(response.value);
    else pending.reject(Object.assign(new Error(response.message), response.load ? { keytarLoad: true } : {}));
    if (![...this.#pending.values()].some((p) => p.child === pending.child)) pending.child.hold?.(false);
  }

  #failAll(child: KeytarProcess, error: Error): void {
    for (const [id, pending] of [...this.#pending]) {
      if (pending.child !== child) continue;
      this.#pending.delete(id);
      pending.reject(error);
    }
  }
}
