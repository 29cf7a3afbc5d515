import { AppSettings } from '../contract/index';
import { nowIso } from '../ids';
import type { Database } from '../store/migration';

/** App settings as key/value rows; anything not stored takes the contract's default. */
export class SettingsStore {
  readonly #db: Database;
  #cache: AppSettings | null = null;

  constructor(db: Database) {
    this.#db = db;
  }

  get(): AppSettings {
    if (this.#cache) return this.#cache;
    const rows = this.#db.prepare('SELECT key, value_json FROM settings').all() as Array<{ key: string; value_json: string }>;
    const stored = Object.fromEntries(rows.map((r) => [r.key, JSON.parse(r.value_json) as unknown]));
    // Unknown or invalid stored keys (from an older or newer version) fall back to defaults instead of failing.
    const known = Object.fromEntries(Object.entries(stored).filter(([k, v]) => k in AppSettings.shape && AppSettings.shape[k as keyof AppSettings].safeParse(v).success));
    this.#cache = AppSettings.parse(known);
    return this.#cache;
  }

  update(patch: Partial<AppSettings>): AppSettings {
    const next = AppSettings.parse({ ...this.get(), ...patch });
    const upsert = this.#db.prepare(
      'INSERT INTO settings (key, value_json, updated_at) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json, updated_at = excluded.updated_at',
    );
    this.#db.transaction(() => {
      for (const [key, value] of Object.entries(patch)) if (value !== undefined) upsert.run(key, JSON.stringify(value), nowIso());
    })();
    this.#cache = next;
    return next;
  }
}
