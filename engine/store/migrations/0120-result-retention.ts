import type { Migration } from '../migration';

/**
 * What the result retention policy (engine/retention) needs to know of each
 * stored result without reading its rows: its size, its age, and whether its
 * rows were given back. A trigger fills it as results are stored, so storing
 * a result stays one write; expiring one empties `query_results.rows_json`
 * (runs still refer to the result, so the row stays) and sets `expired_at`.
 */
export const migration: Migration = {
  id: 120,
  name: 'result-retention',
  up(db) {
    db.exec(`
      CREATE TABLE result_retention (
        result_id TEXT PRIMARY KEY REFERENCES query_results (id) ON DELETE CASCADE,
        bytes INTEGER NOT NULL CHECK (bytes >= 0),
        created_at TEXT NOT NULL,
        expired_at TEXT,
        expired_reason TEXT CHECK (expired_reason IN ('age', 'size')),
        CHECK ((expired_at IS NULL) = (expired_reason IS NULL))
      );
      CREATE INDEX result_retention_kept ON result_retention (created_at) WHERE expired_at IS NULL;

      INSERT INTO result_retention (result_id, bytes, created_at)
        SELECT id, length(CAST(rows_json AS BLOB)) + length(CAST(columns_json AS BLOB)), created_at FROM query_results;

      CREATE TRIGGER query_results_retention AFTER INSERT ON query_results
      BEGIN
        INSERT INTO result_retention (result_id, bytes, created_at)
          VALUES (NEW.id, length(CAST(NEW.rows_json AS BLOB)) + length(CAST(NEW.columns_json AS BLOB)), NEW.created_at);
      END;
    `);
  },
};
