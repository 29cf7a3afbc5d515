import type { Migration } from '../migration';

/**
 * Verified answers: a question a person checked, with the query that answers
 * it, per source. The question is the user's wording (editable); the
 * normalised form is what makes two wordings of one question the same pair.
 * No result data and no credentials are kept here. Removing a source removes
 * its verified answers.
 */
export const migration: Migration = {
  id: 100,
  name: 'verified-answers',
  up(db) {
    db.exec(`
      CREATE TABLE verified_answers (
        id TEXT PRIMARY KEY,
        source_id TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
        question TEXT NOT NULL CHECK (length(trim(question)) > 0),
        normalized_question TEXT NOT NULL CHECK (length(normalized_question) > 0),
        query_text TEXT NOT NULL CHECK (length(trim(query_text)) > 0),
        dialect TEXT NOT NULL CHECK (dialect IN ('postgres', 'mysql', 'duckdb', 'mongodb')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      -- One verified query per question and source: a second wording of the same question is the same pair.
      CREATE UNIQUE INDEX verified_answers_question ON verified_answers (source_id, normalized_question);
      CREATE INDEX verified_answers_recent ON verified_answers (source_id, updated_at);
    `);
  },
};
