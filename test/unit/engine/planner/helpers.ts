import * as assert from 'uvu/assert';
import type { MetadataDocument } from '../../../../engine/contract/metadata.contract';
import { planQuestion } from '../../../../engine/planner/planner';
import type { PlannerDialect, PlannerResult, PlannerTurn } from '../../../../engine/planner/types';
import { shopMetadata } from '../../../fixtures/planner/metadata';

export const shop = shopMetadata();

/** Plans a question and fails the test when the planner declines. */
export function answer(question: string, options: { metadata?: MetadataDocument; dialect?: PlannerDialect; rowLimit?: number; history?: PlannerTurn[] } = {}) {
  const result = planQuestion({ question, metadata: options.metadata ?? shop, dialect: options.dialect ?? 'postgres', rowLimit: options.rowLimit ?? 500, history: options.history });
  if (!result.ok) assert.unreachable(`declined "${question}": ${result.reason}`);
  return result as Extract<PlannerResult, { ok: true }>;
}

/** The query text with whitespace collapsed, for `includes` checks. */
export function sql(question: string, options: Parameters<typeof answer>[1] = {}): string {
  return answer(question, options).query.replace(/\s+/g, ' ');
}

/** Plans a conversation; returns the last turn's result. */
export function converse(questions: string[], options: { metadata?: MetadataDocument; dialect?: PlannerDialect } = {}) {
  const history: PlannerTurn[] = [];
  let last: Extract<PlannerResult, { ok: true }> | null = null;
  for (const question of questions) {
    last = answer(question, { ...options, history: [...history] });
    history.push({ question, plan: last.plan });
  }
  return last!;
}

export function includesAll(text: string, parts: string[], message = ''): void {
  for (const part of parts) assert.ok(text.includes(part), `${message} expected ${JSON.stringify(part)} in:\n${text}`);
}
