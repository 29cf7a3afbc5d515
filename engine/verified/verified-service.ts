import type { AuditLog } from '../audit/audit-log';
import type { ChatStore } from '../chat/chat-store';
import { descriptors } from '../connectors/descriptors';
import type { AddVerifiedInput, Dialect, VerifiedAnswer, VerifiedImportReport, VerifiedMatch } from '../contract/index';
import { ConflictError, ForbiddenError, ValidationError } from '../errors';
import { containsSecret } from '../prompt/scrub';
import type { QueryService } from '../query/query-service';
import type { SourceRegistry } from '../sources/source-registry';
import { exportLine, parseExportFile, type ParsedLine } from './export-format';
import { normalizeQuestion, questionTokens, type QuestionToken } from './normalize';
import { matchQuestions, similarity } from './similarity';
import type { StoredVerified, VerifiedStore } from './verified-store';

/** How many verified pairs go into a model's prompt as examples. */
export const PROMPT_EXAMPLES = 3;
/** Stemming is most of a match's cost (about 60 ms for 1,000 stored questions here); their tokens are kept, up to this many. */
const MAX_CACHED_QUESTIONS = 10_000;

export interface VerifiedServiceOptions {
  store: VerifiedStore;
  chat: ChatStore;
  sources: SourceRegistry;
  queries: Pick<QueryService, 'check'>;
  audit: AuditLog;
}

type Via = 'message' | 'explicit' | 'import';

const publicView = ({ normalizedQuestion: _n, ...answer }: StoredVerified): VerifiedAnswer => answer;

/**
 * Verified answers: questions a person checked, with the query that answers
 * them, per source. Only a query that ran successfully, or one the source's
 * guardrail allows, is stored; every change is an audit event. A new question
 * that asks what a verified one asks gets the verified query proposed first
 * (still reviewed and approved like any query, see ChatService.ask).
 */
export class VerifiedService {
  readonly #o: VerifiedServiceOptions;
  readonly #tokens = new Map<string, QuestionToken[]>();

  constructor(options: VerifiedServiceOptions) {
    this.#o = options;
  }

  list(sourceId: string): VerifiedAnswer[] {
    this.#o.sources.get(sourceId);
    return this.#o.store.list(sourceId).map(publicView);
  }

  async add(input: AddVerifiedInput): Promise<VerifiedAnswer> {
    if ('messageId' in input) return publicView(this.#addFromMessage(input));
    const source = this.#o.sources.assertUsable(input.sourceId);
    const verdict = await this.#o.queries.check(source.id, input.query);
    if (!verdict.allowed) {
      throw new ForbiddenError('GUARDRAIL', `The guardrail refused this query, so it cannot be a verified answer: ${verdict.reasons.map((r) => r.message).join(' ')}`, {
        codes: verdict.reasons.map((r) => r.code),
      });
    }
    const added = this.#insert({ sourceId: source.id, question: input.question, query: input.query, dialect: descriptors[source.type].dialect }, 'explicit');
    return publicView(added);
  }

  /** A query message of a conversation that was approved and produced a result. */
  #addFromMessage(input: { sessionId: string; messageId: string; question?: string | undefined }): StoredVerified {
    const session = this.#o.chat.session(input.sessionId);
    if (!session.sourceId) throw new ValidationError('The source of this conversation was removed.', { field: 'sessionId' });
    const message = this.#o.chat.message(input.messageId);
    if (message.sessionId !== session.id || message.payload.kind !== 'query') throw new ValidationError('That message is not a query of this conversation.', { field: 'messageId' });
    const ran = this.#o.chat.messages(session.id).some((m) => m.payload.kind === 'result' && m.payload.queryMessageId === message.id);
    if (!ran) throw new ValidationError('Only a query that was approved and ran successfully can be marked as verified.', { field: 'messageId' });
    const question = input.question ?? this.#questionText(message.payload.questionId);
    if (!question) throw new ValidationError('Say which question this query answers.', { field: 'question' });
    return this.#insert({ sourceId: session.sourceId, question, query: message.payload.query, dialect: message.payload.dialect }, 'message', message.id);
  }

  #questionText(questionId: string | null): string | null {
    if (!questionId) return null;
    const question = this.#o.chat.message(questionId);
    return question.payload.kind === 'question' ? question.payload.text : null;
  }

  edit(id: string, question: string): VerifiedAnswer {
    const current = this.#o.store.get(id);
    this.#assertNoSecret(question, current.query);
    const normalized = this.#normalized(question);
    const other = this.#o.store.byQuestion(current.sourceId, normalized);
    if (other && other.id !== id) throw new ConflictError('Another verified answer of this source already asks that question.', { existingId: other.id });
    return this.#o.store.transaction(() => {
      const updated = this.#o.store.setQuestion(id, question.trim(), normalized);
      this.#o.audit.record({ action: 'verified.edited', sourceId: updated.sourceId, details: { verifiedId: id } });
      return publicView(updated);
    });
  }

  remove(id: string): void {
    const current = this.#o.store.get(id);
    this.#o.store.transaction(() => {
      this.#o.store.remove(id);
      this.#o.audit.record({ action: 'verified.removed', sourceId: current.sourceId, details: { verifiedId: id } });
    });
  }

  /** The verified answer a new question asks for: an exact match first, else the closest similar one; null when none. */
  match(sourceId: string, question: string): { answer: VerifiedAnswer; match: VerifiedMatch } | null {
    const asked = questionTokens(question);
    if (asked.length === 0) return null;
    let best: { answer: StoredVerified; kind: VerifiedMatch['match']; score: number } | null = null;
    for (const answer of this.#o.store.list(sourceId)) {
      const found = matchQuestions(asked, this.#tokensOf(answer.question));
      if (found && (!best || found.score > best.score)) best = { answer, kind: found.kind, score: found.score };
      if (best?.kind === 'exact') break;
    }
    if (!best) return null;
    return { answer: publicView(best.answer), match: { id: best.answer.id, question: best.answer.question, match: best.kind, score: best.score } };
  }

  /** The source's verified pairs closest to a question (most similar first, then most recent), as examples for a model. */
  examples(sourceId: string, question: string, limit = PROMPT_EXAMPLES): Array<{ question: string; query: string }> {
    const asked = questionTokens(question);
    return this.#o.store
      .list(sourceId)
      .map((answer, recency) => ({ answer, recency, score: similarity(asked, this.#tokensOf(answer.question)) }))
      .sort((a, b) => b.score - a.score || a.recency - b.recency)
      .slice(0, limit)
      .map(({ answer }) => ({ question: answer.question, query: answer.query }));
  }

  #tokensOf(question: string): QuestionToken[] {
    let tokens = this.#tokens.get(question);
    if (!tokens) {
      if (this.#tokens.size >= MAX_CACHED_QUESTIONS) this.#tokens.clear();
      tokens = questionTokens(question);
      this.#tokens.set(question, tokens);
    }
    return tokens;
  }

  export(sourceId: string): { jsonl: string; count: number } {
    const answers = this.list(sourceId);
    return { jsonl: answers.map((a) => exportLine(a) + '\n').join(''), count: answers.length };
  }

  /**
   * Adds the lines of an export file to a source, all or nothing: every line
   * is parsed and checked by this source's guardrail before anything is
   * written, so one bad or refused line (named by its number) imports none.
   */
  async import(sourceId: string, jsonl: string): Promise<VerifiedImportReport> {
    const source = this.#o.sources.assertUsable(sourceId);
    const dialect = descriptors[source.type].dialect;
    const lines = parseExportFile(jsonl, dialect);
    for (const line of lines) {
      this.#assertNoSecret(line.question, line.query, line.line);
      this.#normalized(line.question, line.line);
    }
    for (const line of lines) await this.#assertAllowed(source.id, line);
    return this.#o.store.transaction(() => this.#importChecked(source.id, dialect, lines));
  }

  async #assertAllowed(sourceId: string, line: ParsedLine): Promise<void> {
    const verdict = await this.#o.queries.check(sourceId, line.query);
    if (verdict.allowed) return;
    throw new ForbiddenError('GUARDRAIL', `Line ${line.line} was refused by the guardrail of this source, so nothing was imported: ${verdict.reasons.map((r) => r.message).join(' ')}`, {
      line: line.line,
      codes: verdict.reasons.map((r) => r.code),
    });
  }

  #importChecked(sourceId: string, dialect: Dialect, lines: ParsedLine[]): VerifiedImportReport {
    const report: VerifiedImportReport = { added: 0, skippedDuplicates: 0, conflicts: [], lines: lines.length };
    for (const line of lines) {
      const existing = this.#o.store.byQuestion(sourceId, this.#normalized(line.question, line.line));
      if (existing?.query === line.query) report.skippedDuplicates++;
      else if (existing) report.conflicts.push({ line: line.line, existingId: existing.id });
      else {
        this.#insert({ sourceId, question: line.question, query: line.query, dialect }, 'import');
        report.added++;
      }
    }
    return report;
  }

  /** Stores a new pair; the same question with the same query again is the pair already stored. */
  #insert(input: { sourceId: string; question: string; query: string; dialect: Dialect }, via: Via, messageId?: string): StoredVerified {
    const question = input.question.trim();
    this.#assertNoSecret(question, input.query);
    const normalizedQuestion = this.#normalized(question);
    const existing = this.#o.store.byQuestion(input.sourceId, normalizedQuestion);
    if (existing?.query === input.query) return existing;
    if (existing) {
      throw new ConflictError('This question already has a verified answer with another query. Remove that one first, or change this wording.', { existingId: existing.id });
    }
    return this.#o.store.transaction(() => {
      const added = this.#o.store.insert({ ...input, question, normalizedQuestion });
      this.#o.audit.record({ action: 'verified.added', sourceId: input.sourceId, details: { verifiedId: added.id, via, ...(messageId ? { messageId } : {}) } });
      return added;
    });
  }

  #normalized(question: string, line?: number): string {
    const normalized = normalizeQuestion(question);
    if (normalized) return normalized;
    const where = line === undefined ? 'The question' : `Line ${line}: the question`;
    throw new ValidationError(`${where} has no words that say what to find (only words such as "show me all").`, { field: 'question', ...(line === undefined ? {} : { line }) });
  }

  /** Verified pairs are shared as files and shown to models: a credential has no place in them. */
  #assertNoSecret(question: string, query: string, line?: number): void {
    const field = containsSecret(question) ? 'question' : containsSecret(query) ? 'query' : null;
    if (!field) return;
    const where = line === undefined ? `The ${field}` : `Line ${line}: the ${field}`;
    throw new ValidationError(`${where} looks like it holds a credential; verified answers are shared and shown to models, so they may not contain one.`, {
      field,
      ...(line === undefined ? {} : { line }),
    });
  }
}
