import { z } from 'zod';
import { Dialect, type VerifiedAnswer } from '../contract/index';
import { NotFoundError } from '../errors';
import { newId, nowIso } from '../ids';
import type { Database } from '../store/migration';

/** A row as SQLite holds it, parsed rather than cast. */
const Row = z.object({
  id: z.string(),
  source_id: z.string(),
  question: z.string(),
  normalized_question: z.string(),
  query_text: z.string(),
  dialect: Dialect,
  created_at: z.string(),
  updated_at: z.string(),
});
type Row = z.infer<typeof Row>;

/** A verified answer with the normalised question it is stored under. */
export interface StoredVerified extends VerifiedAnswer {
  normalizedQuestion: string;
}

const toVerified = (raw: unknown): StoredVerified => {
  const r: Row = Row.parse(raw);
  return {
    id: r.id,
    sourceId: r.source_id,
    question: r.question,
    normalizedQuestion: r.normalized_question,
    query: r.query_text,
    dialect: r.dialect,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
};

export interface NewVerified {
  sourceId: string;
  question: string;
  normalizedQuestion: string;
  query: string;
  dialect: Dialect;
}

/** The verified_answers table (migration 0100): plain reads and writes; the service decides what may be written. */
export class VerifiedStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Most recently changed first. */
  list(sourceId: string): StoredVerified[] {
    return this.#db.prepare('SELECT * FROM verified_answers WHERE source_id = ? ORDER BY updated_at DESC, id').all(sourceId).map(toVerified);
  }

  get(id: string): StoredVerified {
    const row = this.#db.prepare('SELECT * FROM verified_answers WHERE id = ?').get(id);
    if (!row) throw new NotFoundError('Verified answer', id);
    return toVerified(row);
  }

  byQuestion(sourceId: string, normalizedQuestion: string): StoredVerified | null {
    const row = this.#db.prepare('SELECT * FROM verified_answers WHERE source_id = ? AND normalized_question = ?').get(sourceId, normalizedQuestion);
    return row ? toVerified(row) : null;
  }

  insert(input: NewVerified): StoredVerified {
    const id = newId('ver');
    const now = nowIso();
    this.#db
      .prepare(
        'INSERT INTO verified_answers (id, source_id, question, normalized_question, query_text, dialect, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(id, input.sourceId, input.question, input.normalizedQuestion, input.query, input.dialect, now, now);
    return this.get(id);
  }

  setQuestion(id: string, question: string, normalizedQuestion: string): StoredVerified {
    this.#db.prepare('UPDATE verified_answers SET question = ?, normalized_question = ?, updated_at = ? WHERE id = ?').run(question, normalizedQuestion, nowIso(), id);
    return this.get(id);
  }

  remove(id: string): void {
    this.#db.prepare('DELETE FROM verified_answers WHERE id = ?').run(id);
  }

  /** Runs writes as one transaction: an import adds every line or none. */
  transaction<T>(work: () => T): T {
    return this.#db.transaction(work)();
  }
}
