import * as assert from 'uvu/assert';
import type { MetadataDocument } from '../../engine/contract/metadata.contract';
import { planQuestion } from '../../engine/planner/planner';
import { splitName } from '../../engine/planner/text';
import type { PlannerDialect } from '../../engine/planner/types';

/** The planner's decline of a question it cannot answer (fails the test if it answers). */
export function declineOf(question: string, metadata: MetadataDocument, dialect: PlannerDialect = 'postgres') {
  const result = planQuestion({ question, metadata, dialect, rowLimit: 100 });
  assert.is(result.ok, false, `answered "${question}"`);
  return result.ok ? { reason: '', suggestions: [] } : result;
}

function tableNames(metadata: MetadataDocument): string[] {
  return metadata.databases.flatMap((d) => d.schemas.flatMap((s) => s.objects.map((o) => o.name)));
}

/** The table a suggestion is about, by its words in people's spelling ("treatment types" for Treatment_Types). */
export function tableMentioned(suggestion: string, metadata: MetadataDocument): string | undefined {
  const text = suggestion.toLowerCase();
  return tableNames(metadata).find((name) => text.includes(splitName(name).join(' ').replace(/(es|s)$/, '')));
}

/**
 * What every offered rephrasing must be: between two and three of them, each
 * answered by the planner, each about a real table, each in people's words
 * (no snake_case or camelCase identifiers).
 */
export function assertHelpfulSuggestions(suggestions: string[], metadata: MetadataDocument, dialect: PlannerDialect = 'postgres'): void {
  assert.ok(suggestions.length >= 2 && suggestions.length <= 3, `2-3 suggestions, got ${JSON.stringify(suggestions)}`);
  assert.is(new Set(suggestions).size, suggestions.length, 'no suggestion twice');
  for (const suggestion of suggestions) {
    const planned = planQuestion({ question: suggestion, metadata, dialect, rowLimit: 100 });
    assert.ok(planned.ok, `"${suggestion}" does not plan: ${planned.ok ? '' : planned.reason}`);
    assert.ok(tableMentioned(suggestion, metadata), `"${suggestion}" names no table of ${tableNames(metadata).join(', ')}`);
    assert.not.match(suggestion, /\w_\w|[a-z][A-Z]/, `"${suggestion}" spells an identifier`);
  }
}
