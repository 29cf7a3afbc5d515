import type { AuditLog } from '../audit/audit-log';
import type { ProviderInfo } from '../contract/index';
import { ValidationError } from '../errors';
import { nowIso } from '../ids';
import {
  ANTHROPIC_BASE_URL,
  createProvider,
  OPENAI_BASE_URL,
  OPENAI_COMPATIBLE_PRESETS,
  ProviderConfig,
  providerLabel,
  testProvider,
  type LedgerEntry,
  type LlmProvider,
  type SingleProviderConfig,
} from '../llm/index';
import type { SecretStore } from '../secrets/secret-store';
import type { Database } from '../store/migration';
import { ZodError } from 'zod';

const KEY_ACCOUNTS = { primary: 'provider:primary', fallback: 'provider:fallback' } as const;

/**
 * The configured model provider. The config lives in SQLite; API keys live in
 * the OS keychain and are read only to build a provider for one request.
 */
export class ProviderService {
  readonly #db: Database;
  readonly #secrets: SecretStore;
  readonly #audit: AuditLog;

  constructor(db: Database, options: { secrets: SecretStore; audit: AuditLog }) {
    this.#db = db;
    this.#secrets = options.secrets;
    this.#audit = options.audit;
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

  async set(input: { config: Record<string, unknown>; apiKey?: string | null; fallbackApiKey?: string | null }): Promise<ProviderInfo> {
    let config: ProviderConfig;
    try {
      config = ProviderConfig.parse(input.config);
    } catch (error) {
      if (!(error instanceof ZodError)) throw error;
      const issue = error.issues[0]!;
      const field = ['config', ...issue.path.map(String)].join('.');
      throw new ValidationError(`Invalid ${field}: ${issue.message}`, { field });
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
    return createProvider(stored.config, apiKey, { fallbackApiKey, ...(ledger ? { ledger } : {}) });
  }

  async test() {
    const provider = await this.create();
    if (!provider) throw new ValidationError('No model is configured: PolyStoreIQ is using its built-in offline planner.');
    return testProvider(provider);
  }
}
