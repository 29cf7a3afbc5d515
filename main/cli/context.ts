import { InvalidArgumentError, type Command } from 'commander';
import type { ApiError, Result } from '../../engine/contract/errors';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../engine/contract/index';
import { openEngine, type Engine } from '../../engine/engine';
import { resolveDataDir } from '../../engine/paths';

export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads all of stdin (for --pin-stdin, --password-stdin). */
  readStdin: () => Promise<string>;
  env: NodeJS.ProcessEnv;
  stdinIsTTY: boolean;
}

export interface GlobalOptions {
  dataDir?: string;
  json?: boolean;
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
  INTERNAL: 1,
};

/**
 * What a command module gets: the parsed global flags, an engine opened on the
 * chosen data folder, a typed call through the same router the app uses, and
 * output that honours --json.
 */
export class CliContext {
  readonly io: CliIO;
  #engine: Engine | null = null;

  constructor(io: CliIO) {
    this.io = io;
  }

  globals(command: Command): GlobalOptions {
    return command.optsWithGlobals<GlobalOptions>();
  }

  dataDir(command: Command): string {
    return resolveDataDir(this.globals(command).dataDir ?? null, this.io.env);
  }

  async engine(command: Command): Promise<Engine> {
    this.#engine ??= await openEngine({ dataDir: this.dataDir(command), host: 'cli', healthIntervalMs: 0, maxThreads: 2 });
    return this.#engine;
  }

  /** Calls a channel through the router; a failure becomes a CliError. */
  async call<C extends ChannelName>(command: Command, channel: C, input?: ChannelInput<C>): Promise<ChannelOutput<C>> {
    const engine = await this.engine(command);
    const result = (await engine.router.dispatch(channel, input, { host: 'cli' })) as Result<ChannelOutput<C>>;
    if (!result.ok) throw new CliError(result.error);
    return result.value;
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
    await this.#engine?.close();
    this.#engine = null;
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
