import { createHmac, randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-log';
import type { ProviderInfo } from '../contract/index';
import { ConflictError, ValidationError } from '../errors';
import { nowIso } from '../ids';
import {
  ANTHROPIC_BASE_URL,
  createProvider,
  OPENAI_BASE_URL,
  OPENAI_COMPATIBLE_PRESETS,
  ProviderConfig,
  providerLabel,
  type ProviderRateLimiter,
  testProvider,
  type LedgerEntry,
  type LlmProvider,
  type ProviderTestResult,
  type SingleProviderConfig,
} from '../llm/index';
import type { SecretStore } from '../secrets/secret-store';
import type { Database } from '../store/migration';
import { ZodError } from 'zod';

const KEY_ACCOUNTS = { primary: 'provider:primary', fallback: 'provider:fallback' } as const;

/** A configuration as providers.set and providers.test take it: keys are new (string), removed (null) or kept (undefined). */
export interface ProviderCandidate {
  config: Record<string, unknown>;
  apiKey?: string | null | undefined;
  fallbackApiKey?: string | null | undefined;
}

/** The reason of the CONFLICT providers.set answers until the user confirms a provider whose last test failed. */
export const LAST_TEST_FAILED = 'LAST_TEST_FAILED';

function parseConfig(raw: Record<string, unknown>): ProviderConfig {
  try {
    return ProviderConfig.parse(raw);
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    const issue = error.issues[0]!;
    const field = ['config', ...issue.path.map(String)].join('.');
    throw new ValidationError(`Invalid ${field}: ${issue.message}`, { field });
  }
}

/**
 * The configured model provider. The config lives in SQLite; API keys live in
 * the OS keychain and are read only to build a provider for one request.
 */
export class ProviderService {
  readonly #db: Database;
  readonly #secrets: SecretStore;
  readonly #audit: AuditLog;
  readonly #limiter: ProviderRateLimiter | undefined;
  /**
   * The last test of each configuration tried this session, by a keyed hash of the
   * configuration and its keys (so a key never sits here in the clear, and a new key is a new candidate).
   */
  readonly #lastTests = new Map<string, ProviderTestResult>();
  readonly #fingerprintKey = randomBytes(32);

  /** `limiter`: the Settings' per-minute limits and the provider's Retry-After, applied to every question's requests. */
  constructor(db: Database, options: { secrets: SecretStore; audit: AuditLog; limiter?: ProviderRateLimiter }) {
    this.#db = db;
    this.#secrets = options.secrets;
    this.#audit = options.audit;
    this.#limiter = options.limiter;
  }

  #stored(): { config: ProviderConfig; keys: { primary: boolean; fallback: boolean } } | null {
    const row = this.#db.prepare(`SELECT config_json, secret_ref FROM providers WHERE slot = 'primary'`).get() as { config_json: string; secret_ref: string | null } | undefined;
    if (!row) return null;
    const keys = row.secret_ref ? (JSON.parse(row.secret_ref) as { primary: boolean; fallback: boolean }) : { primary: false, fallback: false };
    return { config: ProviderConfig.parse(JSON.parse(row.config_json)), keys };
  }

  info(): ProviderInfo {
    const stored = this.#stored();
    if (!stored) return { mode: 'offline', primary: null, fallback: null };
    const summary = (c: SingleProviderConfig, hasApiKey: boolean) => ({
      kind: c.kind,
      preset: c.kind === 'openai-compatible' ? c.preset : null,
      label: providerLabel(c),
      baseUrl: c.baseUrl,
      model: c.model,
      hosted: c.hosted,
      hasApiKey,
      timeoutMs: c.timeoutMs,
    });
    return {
      mode: 'model',
      primary: summary(stored.config, stored.keys.primary),
      fallback: stored.config.fallback ? summary(stored.config.fallback, stored.keys.fallback) : null,
    };
  }

  presets() {
    return [
      { id: 'openai', kind: 'openai' as const, label: 'OpenAI', baseUrl: OPENAI_BASE_URL, needsApiKey: true, hosted: true },
      { id: 'anthropic', kind: 'anthropic' as const, label: 'Anthropic', baseUrl: ANTHROPIC_BASE_URL, needsApiKey: true, hosted: true },
      ...Object.entries(OPENAI_COMPATIBLE_PRESETS).map(([id, p]) => ({
        id,
        kind: 'openai-compatible' as const,
        label: p.label,
        baseUrl: p.baseUrl,
        needsApiKey: id === 'custom' || id === 'vllm',
        hosted: false,
      })),
    ];
  }

  /**
   * Makes a configuration the one that answers questions. One whose last test failed
   * is refused with CONFLICT (reason LAST_TEST_FAILED) until the user confirms it.
   */
  async set(input: ProviderCandidate & { confirmFailedTest?: boolean | undefined }): Promise<ProviderInfo> {
    const config = parseConfig(input.config);
    if (!input.confirmFailedTest) {
      const last = this.#lastTests.get(await this.#fingerprint(config, input));
      if (last && !last.ok) {
        throw new ConflictError(`The last test of ${config.model} failed: ${last.error?.message ?? 'it did not answer'} Use it anyway?`, {
          reason: LAST_TEST_FAILED,
          testError: last.error?.message ?? null,
        });
      }
    }
    const previous = this.#stored()?.keys ?? { primary: false, fallback: false };
    const keys = { ...previous };
    for (const [slot, value] of [
      ['primary', input.apiKey],
      ['fallback', input.fallbackApiKey],
    ] as const) {
      if (value === undefined) continue;
      if (value === null) await this.#secrets.delete(KEY_ACCOUNTS[slot]);
      else await this.#secrets.set(KEY_ACCOUNTS[slot], value);
      keys[slot] = value !== null;
    }
    if (!config.fallback && keys.fallback) {
      await this.#secrets.delete(KEY_ACCOUNTS.fallback);
      keys.fallback = false;
    }
    this.#db
      .prepare(
        `INSERT INTO providers (slot, config_json, secret_ref, updated_at) VALUES ('primary', ?, ?, ?)
         ON CONFLICT (slot) DO UPDATE SET config_json = excluded.config_json, secret_ref = excluded.secret_ref, updated_at = excluded.updated_at`,
      )
      .run(JSON.stringify(input.config), JSON.stringify(keys), nowIso());
    this.#audit.record({
      action: 'provider.configured',
      details: { kind: config.kind, model: config.model, baseUrl: config.baseUrl, hosted: config.hosted, apiKey: keys.primary, fallback: config.fallback ? config.fallback.kind : null },
    });
    return this.info();
  }

  async clear(): Promise<ProviderInfo> {
    await this.#secrets.delete(KEY_ACCOUNTS.primary);
    await this.#secrets.delete(KEY_ACCOUNTS.fallback);
    this.#db.prepare(`DELETE FROM providers WHERE slot = 'primary'`).run();
    this.#audit.record({ action: 'provider.configured', details: { kind: 'offline' } });
    return this.info();
  }

  /** A provider for one conversation turn, reporting every outgoing body to `ledger`; null when offline. */
  async create(ledger?: (entry: LedgerEntry) => void): Promise<LlmProvider | null> {
    const stored = this.#stored();
    if (!stored) return null;
    const apiKey = stored.keys.primary ? await this.#secrets.get(KEY_ACCOUNTS.primary) : null;
    const fallbackApiKey = stored.keys.fallback ? await this.#secrets.get(KEY_ACCOUNTS.fallback) : null;
    return createProvider(stored.config, apiKey, { fallbackApiKey, ...(ledger ? { ledger } : {}), ...(this.#limiter ? { limiter: this.#limiter } : {}) });
  }

  /**
   * Sends a tiny request to a provider: the configured one, or a candidate from the
   * form. Never changes which provider answers questions; the result is remembered,
   * so activating a candidate that just failed asks first (see `set`).
   */
  async test(candidate?: ProviderCandidate): Promise<ProviderTestResult> {
    if (!candidate) {
      const stored = this.#stored();
      const provider = await this.create();
      if (!stored || !provider) throw new ValidationError('No model is configured: PolyStoreIQ is using its built-in offline planner.');
      const result = await testProvider(provider);
      this.#lastTests.set(await this.#fingerprint(stored.config, {}), result);
      return result;
    }
    const config = parseConfig(candidate.config);
    const keys = await this.#effectiveKeys(config, candidate);
    const provider = createProvider(config, keys.primary, { fallbackApiKey: keys.fallback });
    const result = await testProvider(provider);
    this.#lastTests.set(await this.#fingerprint(config, candidate), result);
    return result;
  }

  /** The keys a candidate would use: a new one, none (removed), or the stored one (kept). */
  async #effectiveKeys(config: ProviderConfig, candidate: Omit<ProviderCandidate, 'config'>): Promise<{ primary: string | null; fallback: string | null }> {
    const stored = this.#stored()?.keys ?? { primary: false, fallback: false };
    const resolve = async (slot: 'primary' | 'fallback', value: string | null | undefined) => {
      if (value !== undefined) return value;
      return stored[slot] ? await this.#secrets.get(KEY_ACCOUNTS[slot]) : null;
    };
    return { primary: await resolve('primary', candidate.apiKey), fallback: config.fallback ? await resolve('fallback', candidate.fallbackApiKey) : null };
  }

  async #fingerprint(config: ProviderConfig, candidate: Omit<ProviderCandidate, 'config'>): Promise<string> {
    const keys = await this.#effectiveKeys(config, candidate);
    return createHmac('sha256', this.#fingerprintKey)
      .update(JSON.stringify([config, keys.primary, keys.fallback]))
      .digest('hex');
  }
}
