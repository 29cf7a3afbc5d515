import { MessagePayload, type ChatMessage, type ChatSession, type LedgerEntry } from '../contract/index';
import { NotFoundError } from '../errors';
import { newId, nowIso } from '../ids';
import type { Database } from '../store/migration';

interface SessionRow {
  id: string;
  source_id: string | null;
  title: string;
  archived: number;
  created_at: string;
  updated_at: string;
  message_count: number;
}

interface MessageRow {
  id: string;
  session_id: string;
  seq: number;
  role: ChatMessage['role'];
  payload_json: string;
  created_at: string;
}

const toSession = (r: SessionRow): ChatSession => ({
  id: r.id,
  sourceId: r.source_id,
  title: r.title,
  archived: r.archived === 1,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  messageCount: r.message_count,
});

const toMessage = (r: MessageRow): ChatMessage => ({
  id: r.id,
  sessionId: r.session_id,
  seq: r.seq,
  role: r.role,
  payload: MessagePayload.parse(JSON.parse(r.payload_json)),
  createdAt: r.created_at,
});

/** Which sessions chat.listSessions returns. */
export interface SessionFilter {
  includeArchived?: boolean;
  sourceId?: string;
  /** Part of the title or of a question, any case. */
  search?: string;
}

const SESSION_SELECT = `SELECT s.*, (SELECT count(*) FROM chat_messages m WHERE m.session_id = s.id) AS message_count FROM chat_sessions s`;

/**
 * Sessions and their messages. Messages are ordered by a per-session sequence
 * and never change (SQLite triggers refuse UPDATE and DELETE); a correction is
 * a new message.
 */
export class ChatStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  createSession(sourceId: string, title: string): ChatSession {
    const id = newId('ses');
    const now = nowIso();
    this.#db.prepare('INSERT INTO chat_sessions (id, source_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?)').run(id, sourceId, title, now, now);
    return this.session(id);
  }

  session(id: string): ChatSession {
    const row = this.#db.prepare(`${SESSION_SELECT} WHERE s.id = ?`).get(id) as SessionRow | undefined;
    if (!row) throw new NotFoundError('Chat session', id);
    return toSession(row);
  }

  sessions(options: SessionFilter = {}): ChatSession[] {
    const where: string[] = [];
    const params: string[] = [];
    if (!options.includeArchived) where.push('s.archived = 0');
    if (options.sourceId) {
      where.push('s.source_id = ?');
      params.push(options.sourceId);
    }
    const search = options.search?.trim();
    if (search) {
      // Case-insensitive (ASCII) substring of the title or of any question asked in the session.
      const pattern = `%${search.replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      where.push(
        `(s.title LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM chat_messages q WHERE q.session_id = s.id AND q.kind = 'question' AND json_extract(q.payload_json, '$.text') LIKE ? ESCAPE '\\'))`,
      );
      params.push(pattern, pattern);
    }
    return (this.#db.prepare(`${SESSION_SELECT} ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY s.updated_at DESC`).all(...params) as SessionRow[]).map(toSession);
  }

  setTitle(id: string, title: string): ChatSession {
    this.#db.prepare('UPDATE chat_sessions SET title = ?, updated_at = ? WHERE id = ?').run(title, nowIso(), id);
    return this.session(id);
  }

  setArchived(id: string, archived: boolean): ChatSession {
    this.session(id);
    this.#db.prepare('UPDATE chat_sessions SET archived = ?, updated_at = ? WHERE id = ?').run(archived ? 1 : 0, nowIso(), id);
    return this.session(id);
  }

  /** Appends a message; `id` may be reserved in advance (an approval token is bound to it). */
  append(sessionId: string, role: ChatMessage['role'], payload: MessagePayload, id: string = newId('msg')): ChatMessage {
    const parsed = MessagePayload.parse(payload);
    return this.#db.transaction(() => {
      const { next } = this.#db.prepare('SELECT COALESCE(MAX(seq), 0) + 1 AS next FROM chat_messages WHERE session_id = ?').get(sessionId) as { next: number };
      const now = nowIso();
      this.#db
        .prepare('INSERT INTO chat_messages (id, session_id, seq, role, kind, payload_json, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(id, sessionId, next, role, parsed.kind, JSON.stringify(parsed), now);
      this.#db.prepare('UPDATE chat_sessions SET updated_at = ? WHERE id = ?').run(now, sessionId);
      return this.message(id);
      // IMMEDIATE: it reads the next seq and then writes. A deferred transaction would start as a reader, and
      // in WAL mode SQLite answers SQLITE_BUSY at once (no busy wait) when another process (the CLI, a
      // second app) wrote in between, failing the append. Taking the write lock first makes it wait instead.
    }).immediate();
  }

  message(id: string): ChatMessage {
    const row = this.#db.prepare('SELECT * FROM chat_messages WHERE id = ?').get(id) as MessageRow | undefined;
    if (!row) throw new NotFoundError('Message', id);
    return toMessage(row);
  }

  /** Result messages, most recent first, with their session's title and source. */
  resultMessages(limit: number): Array<{ message: ChatMessage; sessionTitle: string; sourceId: string | null }> {
    const rows = this.#db
      .prepare(
        `SELECT m.*, s.title AS session_title, s.source_id AS session_source FROM chat_messages m JOIN chat_sessions s ON s.id = m.session_id
         WHERE m.kind = 'result' ORDER BY m.created_at DESC, m.seq DESC LIMIT ?`,
      )
      .all(limit) as Array<MessageRow & { session_title: string; session_source: string | null }>;
    return rows.map((r) => ({ message: toMessage(r), sessionTitle: r.session_title, sourceId: r.session_source }));
  }

  /** The query message a stored result answers, through the run that produced it (null outside a conversation). */
  queryMessageOfResult(resultId: string): ChatMessage | null {
    const row = this.#db.prepare('SELECT message_id FROM query_runs WHERE result_id = ?').get(resultId) as { message_id: string | null } | undefined;
    if (!row?.message_id) return null;
    const message = this.#db.prepare('SELECT * FROM chat_messages WHERE id = ?').get(row.message_id) as MessageRow | undefined;
    return message ? toMessage(message) : null;
  }

  messages(sessionId: string): ChatMessage[] {
    return (this.#db.prepare('SELECT * FROM chat_messages WHERE session_id = ? ORDER BY seq').all(sessionId) as MessageRow[]).map(toMessage);
  }

  addLedger(messageId: string, entries: LedgerEntry[]): void {
    const insert = this.#db.prepare('INSERT INTO chat_ledger (message_id, provider, url, hosted, at, request_text) VALUES (?, ?, ?, ?, ?, ?)');
    this.#db.transaction(() => {
      for (const e of entries) insert.run(messageId, e.provider, e.url, e.hosted ? 1 : 0, e.at, e.requestText);
    })();
  }

  ledger(messageId: string): LedgerEntry[] {
    return (this.#db.prepare('SELECT provider, url, hosted, at, request_text FROM chat_ledger WHERE message_id = ? ORDER BY id').all(messageId) as Array<{
      provider: string;
      url: string;
      hosted: number;
      at: string;
      request_text: string;
    }>).map((r) => ({ provider: r.provider, url: r.url, hosted: r.hosted === 1, at: r.at, requestText: r.request_text }));
  }
}
