import hljs from 'highlight.js/lib/core';
import json from 'highlight.js/lib/languages/json';
import sql from 'highlight.js/lib/languages/sql';
import type { Dialect } from '../../../engine/contract/index';

// Only the two grammars queries need: the full highlight.js bundle is ~1 MB.
hljs.registerLanguage('sql', sql);
hljs.registerLanguage('json', json);

export type QueryLanguage = 'sql' | 'json';

/** MongoDB queries are JSON documents; every other store speaks SQL. */
export function languageFor(dialect: Dialect): QueryLanguage {
  return dialect === 'mongodb' ? 'json' : 'sql';
}

/** The query as shown: MongoDB documents pretty-printed, SQL exactly as written. */
export function displayQuery(query: string, dialect: Dialect): string {
  if (languageFor(dialect) !== 'json') return query;
  try {
    return JSON.stringify(JSON.parse(query), null, 2);
  } catch {
    return query;
  }
}

/** HTML for the query. highlight.js escapes the text, so the result is safe to insert. */
export function highlightQuery(query: string, dialect: Dialect): string {
  const text = displayQuery(query, dialect);
  return hljs.highlight(text, { language: languageFor(dialect), ignoreIllegals: true }).value;
}

/**
 * What an edit saves: when the user left the pretty-printed form as it was,
 * the original text goes back, so "validate again" re-approves the very same
 * query (and keeps its author) instead of counting as an edit.
 */
export function queryToSave(edited: string, original: string, dialect: Dialect): string {
  return edited === displayQuery(original, dialect) ? original : edited;
}
