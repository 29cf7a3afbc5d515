import type BetterSqlite3 from 'better-sqlite3';

export type Database = BetterSqlite3.Database;

/**
 * One schema change. Migrations are numbered with gaps (10, 20, 30…), applied
 * in order, each in its own transaction, and never edited once shipped.
 */
export interface Migration {
  id: number;
  name: string;
  up(db: Database): void;
}
