import { fork, type ChildProcess } from 'node:child_process';
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

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * keytar in a process of its own (engine/secrets/keytar-child.ts), for the CLI. In-process, a
 * keychain call that misses its deadline keeps running on a libuv thread, and Node waits for that
 * thread when it exits (a finished command stayed 51-60 s with a frozen keyring daemon). Here the
 * store's give-up (`abandon`) kills the keychain process, so the command ends as soon as its
 * output is written. The process starts on the first call, and holds the host open only while a
 * call is out.
 */
export class ChildKeytar implements Keytar {
  readonly #entry: string;
  #child: ChildProcess | null = null;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  /** `entry`: keytar-child.ts (run through tsx) or its bundle, keytar-child.mjs. */
  constructor(entry: string) {
    this.#entry = entry;
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

  /** Ends the keychain process at once (a call in it is stuck); calls still out fail, the next one starts a new process. */
  abandon(): void {
    const child = this.#child;
    this.#child = null;
    child?.kill('SIGKILL');
    this.#failAll(new Error('the keychain call was given up'));
  }

  /** Ends the keychain process, for a host that closes. */
  close(): void {
    this.abandon();
  }

  #call(request: WithoutId<KeytarRequest>): Promise<unknown> {
    const child = this.#process();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#hold(child, true);
      child.send({ ...request, id } as KeytarRequest, (error) => {
        if (error) this.#settle(child, id, { id, ok: false, message: `the keychain process could not be reached (${error.message})` });
      });
    });
  }

  #process(): ChildProcess {
    if (this.#child && this.#child.connected) return this.#child;
    const child = fork(this.#entry, [], {
      execArgv: this.#entry.endsWith('.ts') ? ['--import', 'tsx'] : [],
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      serialization: 'advanced',
    });
    child.on('message', (response: KeytarResponse) => this.#settle(child, response.id, response));
    child.on('exit', (code, signal) => {
      if (this.#child === child) this.#child = null;
      this.#failAll(new Error(`the keychain process ended (${signal ?? `exit code ${code}`})`));
    });
    child.on('error', (error) => this.#failAll(new Error(`the keychain process could not start (${error.message})`)));
    this.#child = child;
    this.#hold(child, false);
    return child;
  }

  #settle(child: ChildProcess, id: number, response: KeytarResponse): void {
    const pending = this.#pending.get(id);
    if (!pending) return;
    this.#pending.delete(id);
    if (response.ok) pending.resolve(response.value);
    else pending.reject(Object.assign(new Error(response.message), response.load ? { keytarLoad: true } : {}));
    if (this.#pending.size === 0) this.#hold(child, false);
  }

  #failAll(error: Error): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(error);
  }

  /** The process and its channel keep the host alive only while a call is out. */
  #hold(child: ChildProcess, held: boolean): void {
    const channel = child.channel as { ref?(): void; unref?(): void } | null | undefined;
    if (held) {
      child.ref();
      channel?.ref?.();
    } else {
      child.unref();
      channel?.unref?.();
    }
  }
}
