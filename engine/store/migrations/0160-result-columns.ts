import type { Migration } from '../migration';

/**
 * A stored result's rows as columns (engine/contract/result-columns.ts, in a
 * binary frame): opening a result then reads a few buffers instead of parsing
 * the rows' JSON (about 130 ms for 100,000 x 10, BENCHMARKS.md
 * result-handoff). New results keep `rows_json` as '[]'; results stored before
 * keep their `rows_json` and no blob, and are converted when read. The
 * retention size counts whichever holds the rows.
 */
export const migration: Migration = {
  id: 160,
  name: 'result-columns',
  up(db) {
    db.exec(`
      ALTER TABLE query_results ADD COLUMN columns_blob BLOB;

      DROP TRIGGER query_results_retention;
      CREATE TRIGGER query_results_retention AFTER INSERT ON query_results
      BEGIN
        INSERT INTO result_retention (result_id, bytes, created_at)
          VALUES (NEW.id, length(CAST(NEW.rows_json AS BLOB)) + length(CAST(NEW.columns_json AS BLOB)) + coalesce(length(NEW.columns_blob), 0), NEW.created_at);
      END;
    `);
  },
};
