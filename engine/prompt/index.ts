export { buildPrompt, type BuiltPrompt, type PromptInput } from './build';
export { type ConversationTurn, type HistoryLimits, historyMessages, selectTurns } from './history';
export { QueryAnswer, queryAnswerJsonSchema, queryAnswerSchemaFor } from './output-schema';
export { containsSecret, isSecretFieldName, scrubText } from './scrub';
export { templates, type PromptTemplate } from './templates/index';
export { estimateTokens } from './tokens';
