import type { LlmMessage } from '../llm/types';
import { scrubText } from './scrub';
import { estimateTokens } from './tokens';

/** One earlier question and what came of it. */
export interface ConversationTurn {
  question: string;
  /** The query generated for it; null when none was produced. */
  query: string | null;
  /** Column names of its result, when it ran. */
  columns?: string[];
  /** A few words on the result: row count, a value or two, or the error. */
  resultSummary?: string | null;
}

export interface HistoryLimits {
  /** Turns at most (AppSettings.chatContextTurns). */
  maxTurns: number;
  /** Tokens at most for all kept turns (AppSettings.chatContextTokenBudget). */
  tokenBudget: number;
}

const MAX_COLUMNS = 30;
const MAX_SUMMARY_CHARS = 400;
const MAX_QUERY_CHARS = 4_000;

/** A turn as it may enter a prompt: scrubbed and trimmed. */
export function safeTurn(turn: ConversationTurn): ConversationTurn {
  const summary = turn.resultSummary ? scrubText(turn.resultSummary).replace(/\s+/g, ' ').trim() : null;
  const query = turn.query ? scrubText(turn.query).trim() : null;
  return {
    question: scrubText(turn.question).trim(),
    query: query && query.length > MAX_QUERY_CHARS ? `${query.slice(0, MAX_QUERY_CHARS)} …` : query,
    columns: (turn.columns ?? []).slice(0, MAX_COLUMNS).map((c) => scrubText(c)),
    resultSummary: summary && summary.length > MAX_SUMMARY_CHARS ? `${summary.slice(0, MAX_SUMMARY_CHARS)}…` : summary,
  };
}

/** The most recent turns that fit, oldest first. A turn that does not fit ends the walk back. */
export function selectTurns(turns: ConversationTurn[], limits: HistoryLimits): ConversationTurn[] {
  const kept: ConversationTurn[] = [];
  let tokens = 0;
  for (let i = turns.length - 1; i >= 0 && kept.length < limits.maxTurns; i--) {
    const turn = safeTurn(turns[i]!);
    const cost = estimateTokens(userText(turn.question, null)) + estimateTokens(assistantText(turn)) + estimateTokens(resultText(turn) ?? '');
    if (tokens + cost > limits.tokenBudget) break;
    tokens += cost;
    kept.unshift(turn);
  }
  return kept;
}

/**
 * Earlier turns as alternating messages: the question, the query as the
 * model would have answered it, and the result reported back in the next
 * user message, which ends with the new question.
 */
export function historyMessages(turns: ConversationTurn[], question: string): LlmMessage[] {
  const messages: LlmMessage[] = [];
  let previous: ConversationTurn | null = null;
  for (const turn of turns) {
    messages.push({ role: 'user', content: userText(turn.question, previous) });
    messages.push({ role: 'assistant', content: assistantText(turn) });
    previous = turn;
  }
  messages.push({ role: 'user', content: userText(question, previous) });
  return messages;
}

function userText(question: string, previous: ConversationTurn | null): string {
  const result = previous ? resultText(previous) : null;
  return result ? `${result}\n\nNext question: ${question}` : question;
}

function assistantText(turn: ConversationTurn): string {
  return turn.query ? JSON.stringify({ query: turn.query }) : 'No query was produced for this question.';
}

function resultText(turn: ConversationTurn): string | null {
  const parts: string[] = [];
  if (turn.columns?.length) parts.push(`columns ${turn.columns.join(', ')}`);
  if (turn.resultSummary) parts.push(turn.resultSummary);
  return parts.length ? `Result of that query: ${parts.join('; ')}` : null;
}
