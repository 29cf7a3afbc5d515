import { z } from 'zod';
import type { AuditEvent, AuditEventContext } from '../contract/index';
import type { Database } from '../store/migration';

type Statement = ReturnType<Database['prepare']>;

/** The parts of a stored chat message the audit log names: a question's text, a query's question. */
const MessageRef = z.object({ kind: z.string(), text: z.string().optional(), questionId: z.string().nullable().optional() });

const idOf = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);

/**
 * What an audit event is about, in the names people use: the source's name
 * (as recorded when it has since been removed), the conversation's title and
 * the question a query answered. Looked up when the log is listed, never
 * stored in it (the chained events stay as written), and only names and
 * question text: no query, parameter or secret.
 */
export class AuditContext {
  readonly #sources: Statement;
  readonly #sessions: Statement;
  readonly #messages: Statement;

  constructor(db: Database) {
    this.#sources = db.prepare('SELECT name FROM sources WHERE id = ?');
    this.#sessions = db.prepare('SELECT title FROM chat_sessions WHERE id = ?');
    this.#messages = db.prepare('SELECT payload_json FROM chat_messages WHERE id = ?');
  }

  #sourceName(id: string | null, details: Record<string, unknown>): string | null {
    if (!id) return null;
    const row = this.#sources.get(id) as { name: string } | undefined;
    return row?.name ?? (typeof details.name === 'string' ? details.name : null);
  }

  #sessionTitle(id: string | null): string | null {
    if (!id) return null;
    const row = this.#sessions.get(id) as { title: string } | undefined;
    return row?.title ?? null;
  }

  #message(id: string): z.infer<typeof MessageRef> | null {
    const row = this.#messages.get(id) as { payload_json: string } | undefined;
    if (!row) return null;
    const parsed = MessageRef.safeParse(JSON.parse(row.payload_json));
    return parsed.success ? parsed.data : null;
  }

  /** The question a message asked or answered (a query's question; a question itself). */
  #question(messageId: string | null): string | null {
    if (!messageId) return null;
    const message = this.#message(messageId);
    if (!message) return null;
    if (message.kind === 'question') return message.text ?? null;
    const question = message.questionId ? this.#message(message.questionId) : null;
    return question?.kind === 'question' ? (question.text ?? null) : null;
  }

  describe(event: AuditEvent): AuditEventContext {
    return {
      sourceName: this.#sourceName(event.sourceId, event.details),
      sessionTitle: this.#sessionTitle(event.sessionId),
      question: this.#question(idOf(event.details.messageId)),
      runId: idOf(event.details.runId),
    };
  }
}
