// The CLI's side of an unlock session: find the profile's session record,
// connect to its socket and say hello with the token, then send router calls.
// Anything wrong before the hello is answered (no record, a record that is not
// private, a dead process, a socket nobody listens on, a wrong token, no answer
// in time) means "no session": the CLI runs the command in-process as before.
import net from 'node:net';
import type { Result } from '../../../engine/contract/errors';
import { processAlive, readRecord, removeSessionFiles, type SessionRecord } from './files';
import { failure, lineSplitter, parseResponse, type SessionInfo, type SessionRequest } from './protocol';

/** Connecting and the hello: a live session answers in milliseconds, so a slow one is treated as gone. */
export const HELLO_DEADLINE_MS = 5_000;
/** A call's answer (an `ask` waits on the model, a `query` on the database, each with deadlines of its own below this). */
export const CALL_DEADLINE_MS = 30 * 60_000;

type Pending = { resolve: (result: Result<unknown>) => void; timer: NodeJS.Timeout };
type Request = { op: 'hello' } | { op: 'call'; channel: string; input?: unknown } | { op: 'end' };

export class SessionClient {
  readonly #socket: net.Socket;
  readonly #token: string;
  readonly #pending = new Map<number, Pending>();
  #info: SessionInfo | null = null;
  #nextId = 1;
  #closed: string | null = null;

  private constructor(socket: net.Socket, token: string) {
    this.#socket = socket;
    this.#token = token;
    this.#listen();
  }

  /** Who the session unlocked, as its hello said. */
  get info(): SessionInfo {
    return this.#info!;
  }

  /** Connects and says hello; rejects (with a reason to show) within the deadline if the session does not answer. */
  static connect(socketPath: string, token: string, deadlineMs = HELLO_DEADLINE_MS): Promise<SessionClient> {
    return new Promise((resolve, reject) => {
      const socket = net.createConnection(socketPath);
      const onError = (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        socket.destroy();
        reject(new Error(error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? 'it is not running' : `its socket failed (${error.code ?? 'error'})`));
      };
      const timer = setTimeout(() => onError(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), deadlineMs);
      socket.once('error', onError);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        const client = new SessionClient(socket, token);
        void client.#send({ op: 'hello' }, deadlineMs).then((result) => {
          if (!result.ok) {
            client.#end('it refused the hello');
            reject(new Error(result.error.message));
          } else {
            client.#info = result.value as SessionInfo;
            resolve(client);
          }
        });
      });
    });
  }

  #listen(): void {
    const onLine = (line: string) => {
      const response = parseResponse(line);
      if (!response) return this.#end('it sent an answer this CLI cannot read');
      const pending = this.#pending.get(response.id);
      if (!pending) return;
      this.#pending.delete(response.id);
      clearTimeout(pending.timer);
      pending.resolve(response.result);
    };
    this.#socket.on('data', lineSplitter(onLine, () => this.#end('its answer was too large')));
    this.#socket.on('error', () => this.#end('the connection failed'));
    this.#socket.on('close', () => this.#end('it closed the connection'));
  }

  /** Fails every call still waiting: the session ended while they ran (their outcome is unknown, so they are not retried in-process). */
  #end(why: string): void {
    this.#closed ??= why;
    for (const [id, pending] of this.#pending) {
      clearTimeout(pending.timer);
      pending.resolve(failure('UNAVAILABLE', `The unlock session ended during the call (${why}); run the command again.`));
      this.#pending.delete(id);
    }
    this.#socket.destroy();
  }

  #send(request: Request, deadlineMs: number): Promise<Result<unknown>> {
    if (this.#closed) return Promise.resolve(failure('UNAVAILABLE', `The unlock session is gone (${this.#closed}); run the command again.`));
    const id = this.#nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        resolve(failure('TIMEOUT', `The unlock session did not answer within ${Math.round(deadlineMs / 1000)} s.`));
      }, deadlineMs);
      this.#pending.set(id, { resolve, timer });
      const line: SessionRequest = { id, token: this.#token, ...request };
      this.#socket.write(JSON.stringify(line) + '\n');
    });
  }

  /** A router call through the session: the same result the router gives in-process. */
  call(channel: string, input: unknown, deadlineMs = CALL_DEADLINE_MS): Promise<Result<unknown>> {
    return this.#send({ op: 'call', channel, ...(input === undefined ? {} : { input }) }, deadlineMs);
  }

  /** Asks the session to lock its profile and exit. */
  end(deadlineMs = HELLO_DEADLINE_MS): Promise<Result<unknown>> {
    return this.#send({ op: 'end' }, deadlineMs);
  }

  close(): void {
    this.#closed ??= 'closed by the CLI';
    this.#socket.end();
    this.#socket.unref();
  }
}

export type SessionLookup = { kind: 'none' } | { kind: 'live'; client: SessionClient; record: SessionRecord } | { kind: 'unusable'; why: string };

/**
 * The live session of this profile folder and profile name, if any. A record
 * left by a session that is gone (killed, the machine restarted) is removed.
 */
export async function findSession(dataDir: string, requested: string | null, deadlineMs = HELLO_DEADLINE_MS): Promise<SessionLookup> {
  const read = readRecord(dataDir, requested);
  if (read.kind === 'none') return read;
  if (read.kind === 'unsafe') return { kind: 'unusable', why: read.why };
  const { record } = read;
  if (!processAlive(record.pid)) {
    removeSessionFiles(dataDir, requested, record.socketPath);
    return { kind: 'unusable', why: 'it is not running (its files were removed)' };
  }
  try {
    return { kind: 'live', client: await SessionClient.connect(record.socketPath, record.token, deadlineMs), record };
  } catch (error) {
    return { kind: 'unusable', why: (error as Error).message };
  }
}
