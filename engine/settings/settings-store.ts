import { AppSettings, type SettingsView, type SettingsWarning } from '../contract/index';
import { nowIso } from '../ids';
import type { Database } from '../store/migration';

export interface SettingsStoreOptions {
  /** Told once per damaged row (the log): which key, and why its default is used. */
  onDamaged?: (warning: SettingsWarning) => void;
}

type Key = keyof AppSettings;
const isKnown = (key: string): key is Key => key in AppSettings.shape;

/**
 * App settings as key/value rows; anything not stored takes the contract's
 * default. A row that cannot be read (not JSON, out of range, the wrong type)
 * falls back to its default and is reported, instead of failing every
 * command that reads a setting. A key this version does not know (a newer
 * version's) is left alone and not reported.
 */
export class SettingsStore {
  readonly #db: Database;
  readonly #options: SettingsStoreOptions;
  #cache: { settings: AppSettings; warnings: SettingsWarning[] } | null = null;

  constructor(db: Database, options: SettingsStoreOptions = {}) {
    this.#db = db;
    this.#options = options;
  }

  #load(): { settings: AppSettings; warnings: SettingsWarning[] } {
    if (this.#cache) return this.#cache;
    const rows = this.#db.prepare('SELECT key, value_json FROM settings').all() as Array<{ key: string; value_json: string }>;
    const stored: Partial<Record<Key, unknown>> = {};
    const warnings: SettingsWarning[] = [];
    for (const row of rows) {
      if (!isKnown(row.key)) continue;
      const read = readRow(row.key, row.value_json);
      if (read.ok) stored[row.key] = read.value;
      else warnings.push({ key: row.key, message: `The stored value of "${row.key}" could not be read (${read.reason}); the default is used until it is saved again.` });
    }
    this.#cache = { settings: AppSettings.parse(stored), warnings };
    for (const warning of warnings) this.#options.onDamaged?.(warning);
    return this.#cache;
  }

  get(): AppSettings {
    return this.#load().settings;
  }

  /** The settings with a warning per damaged row, for settings.get. */
  view(): SettingsView {
    const { settings, warnings } = this.#load();
    return { ...settings, warnings };
  }

  update(patch: Partial<AppSettings>): AppSettings {
    const next = AppSettings.parse({ ...this.get(), ...patch });
    const upsert = this.#db.prepare(
      'INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at',
    );
    this.#db.transaction(() => {
      for (const [key, value] of Object.entries(patch)) if (value !== undefined) upsert.run(key, JSON.stringify(value), nowIso());
    })();
    // A saved key is whole again; the others keep their warning.
    const warnings = (this.#cache?.warnings ?? []).filter((w) => patch[w.key as Key] === undefined);
    this.#cache = { settings: next, warnings };
    return next;
  }
}

function readRow(key: Key, json: string): { ok: true; value: unknown } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return { ok: false, reason: 'not valid JSON' };
  }
  const parsed = AppSettings.shape[key].safeParse(value);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: parsed.error.issues[0]?.message ?? 'invalid value' };
}
