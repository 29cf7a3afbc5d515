import fs from 'node:fs';
import path from 'node:path';
import { redactor } from './redact';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };
const MAX_BYTES = 5 * 1024 * 1024;

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  readonly file: string | null;
}

function serializeError(error: unknown): unknown {
  if (error instanceof Error) {
    return { name: error.name, message: error.message, stack: error.stack, code: (error as { code?: unknown }).code };
  }
  return error;
}

/**
 * JSON-lines logger. Every line passes through the redactor, so a secret that
 * slips into a message or a driver error is masked before it touches disk.
 */
export function createLogger(options: { file?: string | null; level?: LogLevel; echo?: boolean } = {}): Logger {
  const file = options.file ?? null;
  const min = ORDER[options.level ?? (process.env.POLYSTORE_LOG_LEVEL as LogLevel | undefined) ?? 'info'] ?? ORDER.info;
  if (file) fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });

  const write = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < min) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level, msg };
    if (fields) for (const [k, v] of Object.entries(fields)) entry[k] = k === 'error' ? serializeError(v) : v;
    const line = redactor.redact(JSON.stringify(entry)) + '\n';
    if (file) {
      try {
        if (fs.existsSync(file) && fs.statSync(file).size > MAX_BYTES) fs.renameSync(file, `${file}.1`);
        fs.appendFileSync(file, line, { mode: 0o600 });
      } catch {
        process.stderr.write(line);
      }
    }
    if (options.echo) process.stderr.write(line);
  };
  return {
    file,
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
  };
}
