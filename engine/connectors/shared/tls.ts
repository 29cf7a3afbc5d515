import fs from 'node:fs';
import type { ConnectionOptions } from 'node:tls';
import type { TlsSettings } from '../../contract/index';
import { ConnectorError } from '../../errors';
import { raceAbort } from './abort';

/**
 * How a driver should open TLS for a mode: `null` means plain TCP. `prefer`
 * starts with TLS and the connector falls back to plain only when the server
 * says it has no TLS (never after a failed certificate check).
 */
export interface TlsPlan {
  mode: TlsSettings['mode'];
  options: ConnectionOptions | null;
  fallbackToPlain: boolean;
}

export function tlsPlan(tls: TlsSettings | undefined): TlsPlan {
  const mode = tls?.mode ?? 'prefer';
  switch (mode) {
    case 'off':
      return { mode, options: null, fallbackToPlain: false };
    case 'prefer':
      return { mode, options: { rejectUnauthorized: false }, fallbackToPlain: true };
    case 'require':
      // Encrypts but trusts any certificate, like libpq's sslmode=require.
      return { mode, options: { rejectUnauthorized: false }, fallbackToPlain: false };
    case 'verify':
      return { mode, options: { ca: readCa(tls?.caFile), rejectUnauthorized: true }, fallbackToPlain: false };
  }
}

function readCa(caFile: string | undefined): string {
  if (!caFile) throw new ConnectorError('TLS mode "verify" needs a CA file.', { kind: 'TLS_INVALID' });
  try {
    return fs.readFileSync(caFile, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new ConnectorError(`The CA file ${caFile} could not be read (${code}). Choose a readable PEM file.`, { kind: 'FILE_UNREADABLE' });
  }
}

/**
 * The TLS state of one connection target. The plan is read on first use (so
 * an unreadable CA file is reported like any other connection failure); with
 * `prefer`, one probe, shared by every caller that arrives meanwhile, decides
 * between TLS and plain. Any failure other than "the server has no TLS" is
 * reported, and the next call probes again.
 */
export class TlsNegotiation {
  readonly #settings: TlsSettings;
  #plan: TlsPlan | null = null;
  #useTls = false;
  #settled = false;
  #probe: Promise<void> | null = null;

  constructor(settings: TlsSettings) {
    this.#settings = settings;
  }

  get plan(): TlsPlan {
    if (!this.#plan) {
      this.#plan = tlsPlan(this.#settings);
      this.#useTls = this.#plan.options !== null;
      this.#settled = !this.#plan.fallbackToPlain;
    }
    return this.#plan;
  }

  /** The driver options to use now: null for plain TCP. */
  get options(): ConnectionOptions | null {
    return this.useTls ? this.plan.options : null;
  }

  get useTls(): boolean {
    void this.plan;
    return this.#useTls;
  }

  /**
   * Resolves once it is known whether connections use TLS. `attempt` makes one
   * connection with the current options and says whether the server refused
   * TLS ('no-tls'); it throws for any other failure.
   */
  async settle(signal: AbortSignal, attempt: () => Promise<'ok' | 'no-tls'>): Promise<void> {
    void this.plan;
    if (this.#settled) return;
    this.#probe ??= (async () => {
      try {
        if ((await attempt()) === 'no-tls') this.#useTls = false;
        this.#settled = true;
      } finally {
        this.#probe = null;
      }
    })();
    await raceAbort(this.#probe, signal);
  }
}
