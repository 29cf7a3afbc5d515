import { appendOnly } from '../store/migrations/0010-initial';
import type { Database } from '../store/migration';

/**
 * Puts back a table's append-only guard at every open: every trigger on the
 * table is dropped (one someone dropped is re-created, one someone added, for
 * example to rewrite rows after they are inserted, is gone) and the
 * migration's own triggers are created again. Tamper evidence does not rest
 * on these (the audit chain and the key in the keychain do); they stop
 * accidents and casual edits.
 */
export function reinstallAppendOnly(db: Database, table: string, options: { deleteGuard?: string } = {}): void {
  // IMMEDIATE, with the read inside: several processes (the app, the CLI) open one profile at once, and a
  // deferred transaction that reads and then writes gets SQLITE_BUSY at once in WAL mode instead of waiting.
  db.transaction(() => {
    const triggers = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?`).pluck().all(table) as string[];
    for (const name of triggers) db.exec(`DROP TRIGGER ${quoteIdentifier(name)}`);
    db.exec(appendOnly(table, options));
  }).immediate();
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
