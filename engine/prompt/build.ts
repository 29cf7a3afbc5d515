import type { AppSettings, Dialect, MetadataDocument, SourceSettings } from '../contract/index';
import type { ContextBlock, JsonSchema, LlmMessage } from '../llm/types';
import { type ConversationTurn, historyMessages, selectTurns } from './history';
import { queryAnswerSchemaFor } from './output-schema';
import { safeObjects } from './safe-metadata';
import { scrubText } from './scrub';
import { selectObjects } from './select';
import { templates } from './templates/index';
import { estimateTokens } from './tokens';

export interface PromptInput {
  question: string;
  metadata: MetadataDocument;
  /** The source's settings: its row limit, and whether sample values may go to a hosted model. */
  settings: Pick<SourceSettings, 'rowLimit' | 'allowSampleValues'>;
  /** LlmProvider.hosted: local models always get sample values. */
  providerHosted: boolean;
  /** Earlier turns of this conversation, oldest first. */
  history?: ConversationTurn[];
  /** How much of the conversation to include (defaults: AppSettings defaults). */
  conversation?: Pick<AppSettings, 'chatContextTurns' | 'chatContextTokenBudget'>;
  /** Tokens the schema block may use. */
  schemaTokenBudget?: number;
  /** Limit the schema to one database (MySQL, MongoDB servers with several). */
  database?: string;
  /** The source's display name. */
  sourceName?: string;
  /** What the user wrote about this source (glossary, conventions). */
  sourceNotes?: string;
  /** Questions of this source with the query a person verified answers each (the closest few), shown as examples. */
  examples?: ReadonlyArray<{ question: string; query: string }>;
  /** YYYY-MM-DD; defaults to today. Fixed in tests so prompts are reproducible. */
  today?: string;
}

/** The provider-neutral request (add a signal to send it) and what went into it. */
export interface BuiltPrompt {
  system: string;
  messages: LlmMessage[];
  contextBlocks: ContextBlock[];
  outputSchema: JsonSchema;
  dialect: Dialect;
  /** Keys (database.schema.name) of the tables or collections in the schema block. */
  tables: string[];
  /** The schema did not fit, so `tables` is a selection. */
  schemaTruncated: boolean;
  sampleValuesIncluded: boolean;
  /** Turns of the conversation included. */
  historyTurns: number;
  estimatedTokens: number;
}

const DEFAULT_SCHEMA_BUDGET = 6_000;
const DEFAULT_TURNS = 6;
const DEFAULT_HISTORY_BUDGET = 4_000;
const MAX_NOTES_CHARS = 4_000;
/** A verified example's query is cut past this, so a few examples never crowd out the schema. */
const MAX_EXAMPLE_QUERY_CHARS = 2_000;

/**
 * Everything a model needs to turn one question into one read-only query,
 * for any store and any provider. Sample values are included only when the
 * source allows it or the model runs locally; every user- or data-authored
 * string is scrubbed of credentials before it is placed.
 */
export function buildPrompt(input: PromptInput): BuiltPrompt {
  const template = templates[input.metadata.sourceType];
  const sampleValuesIncluded = input.settings.allowSampleValues || !input.providerHosted;
  const objects = safeObjects(input.metadata, { sampleValues: sampleValuesIncluded, ...(input.database ? { database: input.database } : {}) });
  const multiDatabase = new Set(objects.map((o) => o.database)).size > 1;
  const question = scrubText(input.question).trim();

  const turns = selectTurns(input.history ?? [], {
    maxTurns: input.conversation?.chatContextTurns ?? DEFAULT_TURNS,
    tokenBudget: input.conversation?.chatContextTokenBudget ?? DEFAULT_HISTORY_BUDGET,
  });
  const selection = selectObjects({
    objects,
    template,
    question,
    previousQuestions: turns.map((t) => t.question),
    previousQueries: turns.flatMap((t) => (t.query ? [t.query] : [])),
    tokenBudget: input.schemaTokenBudget ?? DEFAULT_SCHEMA_BUDGET,
    multiDatabase,
  });

  const noun = template.objectNoun;
  const source = input.sourceName ? `"${scrubText(input.sourceName).replace(/["\n]/g, ' ').trim()}", ` : '';
  const serverVersion = input.metadata.serverVersion ? scrubText(input.metadata.serverVersion) : '';
  // "DuckDB 1.5.6" already names the store.
  const store = serverVersion.toLowerCase().startsWith(template.label.toLowerCase()) ? serverVersion : `${template.label}${serverVersion ? ` ${serverVersion}` : ''}`;
  const shown = selection.complete
    ? `All ${objects.length} ${plural(noun, objects.length)}.`
    : `${selection.objects.length} of ${objects.length} ${plural(noun, objects.length)}, chosen for this question; others exist but are not shown.`;
  const header = `${source}${store}. ${shown}${sampleValuesIncluded ? '' : ' Sample values are withheld.'}`;
  const contextBlocks: ContextBlock[] = [{ title: 'Schema', text: [header, ...selection.rendered].join('\n\n') }];
  if (input.sourceNotes?.trim()) {
    const notes = scrubText(input.sourceNotes).trim();
    contextBlocks.push({ title: 'Notes about this source from the user', text: notes.length > MAX_NOTES_CHARS ? `${notes.slice(0, MAX_NOTES_CHARS)}…` : notes });
  }

  const examples = examplesBlock(input.examples ?? []);
  if (examples) contextBlocks.push(examples);

  const system = template.system({ rowLimit: input.settings.rowLimit, today: input.today ?? new Date().toISOString().slice(0, 10) });
  const messages = historyMessages(turns, question);
  const outputSchema = queryAnswerSchemaFor(template.dialect);
  const estimatedTokens =
    estimateTokens(system) +
    contextBlocks.reduce((sum, b) => sum + estimateTokens(b.title) + estimateTokens(b.text) + 8, 0) +
    messages.reduce((sum, m) => sum + estimateTokens(m.content) + 4, 0) +
    estimateTokens(JSON.stringify(outputSchema));

  return {
    system,
    messages,
    contextBlocks,
    outputSchema,
    dialect: template.dialect,
    tables: selection.objects.map((o) => o.key),
    schemaTruncated: !selection.complete,
    sampleValuesIncluded,
    historyTurns: turns.length,
    estimatedTokens,
  };
}

/** Verified question/query pairs, scrubbed like every user-authored string in the prompt. */
function examplesBlock(examples: ReadonlyArray<{ question: string; query: string }>): ContextBlock | null {
  if (examples.length === 0) return null;
  const pairs = examples.map((e) => {
    const query = scrubText(e.query).trim();
    return `Question: ${scrubText(e.question).replace(/\s+/g, ' ').trim()}\nQuery:\n${query.length > MAX_EXAMPLE_QUERY_CHARS ? `${query.slice(0, MAX_EXAMPLE_QUERY_CHARS)}…` : query}`;
  });
  return { title: 'Verified answers for this source (questions with the query a person checked; follow their conventions)', text: pairs.join('\n\n') };
}

function plural(noun: string, n: number): string {
  return n === 1 ? noun : `${noun}s`;
}
