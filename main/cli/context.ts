import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import type { ApiError, Result } from '../../engine/contract/errors';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../engine/contract/index';
import type { HostEngine } from '../../engine/engine';
import { resolveDataDir } from '../../engine/paths';
import type { PoolEntries } from '../shared/pool-entries';
import type { SessionClient } from './session/client';
import type { SessionInfo } from './session/protocol';

/** What the bundled bin hands the CLI: the pool's entries and the unlock session's process entry. */
export type CliEntries = PoolEntries & { sessionFile?: string; keytarChildFile?: string };

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of stdin (for --pin-stdin, --password-stdin). */
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
  /** Notes for a person (an unlock session not used) go to stderr only when it is a terminal. */
  stderrIsTTY?: boolean;
  /** Asks a question on the terminal (only when stdin is a TTY). */
  prompt?: (question: string) => Promise<string>;
}

export interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
  pinStdin?: boolean;
  profile?: string;
}

/** An error the CLI reports with its code; exit status follows the code. */
export class CliError extends Error {
  readonly error: ApiError;
  constructor(error: ApiError) {
    super(error.message);
    this.error = error;
  }
}

export const EXIT_CODES: Record<ApiError['code'], number> = {
  VALIDATION: 2,
  UNKNOWN_CHANNEL: 2,
  NOT_FOUND: 3,
  LOCKED: 4,
  FORBIDDEN: 5,
  APPROVAL: 5,
  CONFLICT: 6,
  UNSUPPORTED: 7,
  TIMEOUT: 8,
  CANCELLED: 9,
  RATE_LIMITED: 10,
  CONNECTOR: 11,
  PROVIDER: 12,
  UNAVAILABLE: 13,
  KEYCHAIN_LOCKED: 14,
  INTERNAL: 1,
};

/** The exit codes as `--help` lists them, from EXIT_CODES (the one place they are set). */
export function exitCodesHelp(): string {
  const byStatus = new Map<number, string[]>([[0, ['success']]]);
  for (const [code, status] of Object.entries(EXIT_CODES)) byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  const lines = [...byStatus.entries()].sort(([a], [b]) => a - b).map(([status, codes]) => `  ${String(status).padEnd(3)} ${codes.join(', ')}`);
  return `\nExit codes:\n${lines.join('\n')}\nRATE_LIMITED (10): too much work at once or over a limit; the message says when to try again (--json: error.retryAfterMs, in ms).\n`;
}

/** What --json prints on stderr for an error: its code and message, and for RATE_LIMITED the wait. */
export function errorJson(error: Pick<ApiError, 'code' | 'message' | 'details'>): string {
  const wait = error.details?.retryAfterMs;
  const retryAfterMs = error.code === 'RATE_LIMITED' && typeof wait === 'number' ? { retryAfterMs: wait } : {};
  return JSON.stringify({ error: { code: error.code, message: error.message, ...retryAfterMs } });
}

/**
 * What a command module gets: the parsed global flags, an engine opened on the
 * chosen data folder, a typed call through the same router the app uses, and
 * output that honours --json.
 */
export class CliContext {
  readonly io: CliIO;
  readonly #poolEntries: CliEntries | null;
  /** One engine per CLI run, also for calls made together (two would each hold their own lock state). */
  #engine: Promise<HostEngine> | null = null;
  /** The profile's unlock session, when one is live: calls go there and no engine is loaded in this process. */
  #session: Promise<SessionClient | null> | null = null;
  #stdinLines: string[] | null = null;

  constructor(io: CliIO, poolEntries: CliEntries | null = null) {
    this.io = io;
    this.#poolEntries = poolEntries;
  }

  /**
   * Secrets piped on stdin, one per line, in the order the flags name them:
   * the PIN (--pin-stdin) first, then a password or key (--password-stdin, --key-stdin).
   */
  async #stdin(): Promise<string[]> {
    this.#stdinLines ??= (await this.io.readStdin()).split(/\r?\n/);
    return this.#stdinLines;
  }

  async takeStdinSecret(what: string): Promise<string> {
    const lines = await this.#stdin();
    const value = lines.shift();
    if (!value) throw new CliError({ code: 'VALIDATION', message: `Expected ${what} on stdin, but stdin was empty.` });
    return value;
  }

  /** The profile PIN or passphrase from --pin-stdin or POLYSTORE_PIN. */
  async profileSecret(command: Command): Promise<string | null> {
    if (this.globals(command).pinStdin) return this.takeStdinSecret('the PIN or passphrase');
    return this.io.env.POLYSTORE_PIN || null;
  }

  globals(command: Command): GlobalOptions {
    return command.optsWithGlobals<GlobalOptions>();
  }

  dataDir(command: Command): string {
    return resolveDataDir(this.globals(command).dataDir ?? null, this.io.env);
  }

  /** The profile name asked for with --profile or POLYSTORE_PROFILE; null for the default (the owner). */
  requestedProfile(command: Command): string | null {
    return this.globals(command).profile ?? (this.io.env.POLYSTORE_PROFILE || null);
  }

  /**
   * The engine as a host sees it: the router and its events, nothing inside (a command that needs more needs a channel).
   * A command that asks for it (to hear its events) runs in-process, without an unlock session.
   */
  async engine(command: Command): Promise<HostEngine> {
    this.#session ??= Promise.resolve(null);
    this.#engine ??= this.#openEngine(this.dataDir(command));
    return this.#engine;
  }

  /** The live unlock session of this profile, looked up once per run; a session that does not answer is left alone (a note on a terminal says so). */
  async #sessionFor(command: Command): Promise<SessionClient | null> {
    this.#session ??= (async () => {
      const { findSession } = await import('./session/client');
      const found = await findSession(this.dataDir(command), this.requestedProfile(command));
      if (found.kind === 'live') return found.client;
      if (found.kind === 'unusable' && this.io.stderrIsTTY) this.io.stderr(`polystore: not using the unlock session (${found.why}); running without it.\n`);
      return null;
    })();
    return this.#session;
  }

  /** Starts an unlock session for this profile (see `polystore unlock`). */
  async startSession(command: Command, secret: string, idleTimeoutMs: number): Promise<SessionInfo> {
    const { startSessionProcess } = await import('./session/start');
    const started = await startSessionProcess({
      dataDir: this.dataDir(command),
      requested: this.requestedProfile(command),
      idleTimeoutMs,
      secret,
      env: this.io.env,
      entries: this.#poolEntries,
    });
    if (!started.ok) throw new CliError(started.error);
    return started.value;
  }

  /** Ends this profile's unlock session; false when none was running. */
  async endSession(command: Command): Promise<boolean> {
    const { endSession } = await import('./session/start');
    return endSession(this.dataDir(command), this.requestedProfile(command));
  }

  /** The engine (SQLite, the keychain, the drivers) loads only for commands that call it: --version and --help stay fast. */
  async #openEngine(dataDir: string): Promise<HostEngine> {
    const [{ openHostEngine }, { poolOptions }, { EngineError, toApiError }, { KeychainSecretStore }, { ChildKeytar }] = await Promise.all([
      import('../../engine/engine'),
      import('../shared/pool-entries'),
      import('../../engine/errors'),
      import('../../engine/secrets/keychain'),
      import('../../engine/secrets/child-keytar'),
    ]);
    // keytar in a process of its own: a keychain call stuck past its deadline is killed with it, where
    // in this process it would hold the finished command open until D-Bus gave up (about a minute).
    const keytarEntry = this.#poolEntries?.keytarChildFile ?? fileURLToPath(new URL('../../engine/secrets/keytar-child.ts', import.meta.url));
    try {
      return await openHostEngine({
        dataDir,
        host: 'cli',
        healthIntervalMs: 0,
        maxThreads: 2,
        secrets: new KeychainSecretStore({ keytar: new ChildKeytar(keytarEntry) }),
        ...poolOptions(this.#poolEntries),
      });
    } catch (error) {
      // A typed failure to open (an unusable --data-dir, a newer schema) keeps its code and message.
      if (error instanceof EngineError) throw new CliError(toApiError(error));
      throw error;
    }
  }

  async #dispatch<C extends ChannelName>(command: Command, channel: C, input?: ChannelInput<C>): Promise<ChannelOutput<C>> {
    const session = await this.#sessionFor(command);
    const result = (session ? await session.call(channel, input) : await (await this.engine(command)).router.dispatch(channel, input, { host: 'cli' })) as Result<
      ChannelOutput<C>
    >;
    if (!result.ok) throw new CliError(result.error);
    return result.value;
  }

  /** Unlocks the profile with the PIN from --pin-stdin or POLYSTORE_PIN, as every data command must. */
  async unlock(command: Command, knownSecret?: string): Promise<void> {
    const status = await this.#dispatch(command, 'auth.status');
    if (status.state === 'unlocked') return;
    if (status.state === 'setup-required') {
      throw new CliError({ code: 'LOCKED', message: 'There is no profile in this data folder yet. Create one with `polystore init`.' });
    }
    const secret = knownSecret ?? (await this.profileSecret(command));
    if (!secret) {
      throw new CliError({ code: 'LOCKED', message: 'This command needs your PIN or passphrase: pipe it with --pin-stdin, or set POLYSTORE_PIN.' });
    }
    const name = this.globals(command).profile ?? (this.io.env.POLYSTORE_PROFILE || undefined);
    const profile = name === undefined ? undefined : status.profiles.find((p) => p.name === name);
    if (name !== undefined && !profile) {
      throw new CliError({ code: 'NOT_FOUND', message: `There is no profile named "${name}". Profiles: ${status.profiles.map((p) => p.name).join(', ')}.` });
    }
    await this.#dispatch(command, 'auth.unlock', { secret, ...(profile ? { profileId: profile.id } : {}) });
  }

  /** Calls a channel through the router (unlocking first unless the channel is open); a failure becomes a CliError. */
  async call<C extends ChannelName>(command: Command, channel: C, input?: ChannelInput<C>): Promise<ChannelOutput<C>> {
    // Through an unlock session the profile is unlocked already, and the session's router checks the channel.
    if (await this.#sessionFor(command)) return this.#dispatch(command, channel, input);
    const { contract } = await import('../../engine/contract/index');
    if (contract[channel].access !== 'open') await this.unlock(command);
    return this.#dispatch(command, channel, input);
  }

  /** Prints a value: JSON under --json, otherwise the human rendering. */
  print<T>(command: Command, value: T, human: (value: T) => string): void {
    if (this.globals(command).json) this.io.stdout(JSON.stringify(value, null, 2) + '\n');
    else {
      const text = human(value);
      if (text) this.io.stdout(text.endsWith('\n') ? text : text + '\n');
    }
  }

  async close(): Promise<void> {
    const session = await this.#session?.catch(() => null);
    this.#session = null;
    session?.close();
    const engine = await this.#engine?.catch(() => null);
    this.#engine = null;
    await engine?.close();
  }
}

/** Formats rows as an aligned plain-text table. */
export function formatTable(headers: string[], rows: Array<Array<string | number | null | undefined>>): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : String(c))));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n');
}

/** Option parser for whole numbers: rejects "12abc", "nope" and fractions instead of guessing. */
export function intOption(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a whole number.');
  return Number.parseInt(value, 10);
}
