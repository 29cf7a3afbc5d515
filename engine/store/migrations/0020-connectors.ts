import type { Migration } from '../migration';

/** Metadata cache (with its fetch time, for the TTL) and the provenance of imported files. */
export const migration: Migration = {
  id: 20,
  name: 'connectors',
  up(db) {
    db.exec(`
      CREATE TABLE metadata_cache (
        source_id TEXT PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
        fetched_at TEXT NOT NULL,
        document_json TEXT NOT NULL
      );

      CREATE TABLE source_files (
        source_id TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
        path TEXT NOT NULL,
        -- 'imported' with provenance, or 'failed' with the error that explains why.
        status TEXT NOT NULL CHECK (status IN ('imported', 'failed')),
        table_name TEXT,
        provenance_json TEXT,
        error_json TEXT,
        updated_at TEXT NOT NULL,
        PRIMARY KEY (source_id, path)
      );
    `);
  },
};
