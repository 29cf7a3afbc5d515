import * as assert from 'uvu/assert';
import type { ChartRecommendation, ChartSpec } from '../../engine/contract/index';

/** What a person would draw for a result: the recommended chart's fields, and what is (not) offered. */
export interface ChartExpectation {
  recommended: Partial<ChartSpec>;
  /** Chart types that must be among the alternatives, and ones that must not be offered at all. */
  offers?: ChartSpec['type'][];
  never?: ChartSpec['type'][];
  reason?: RegExp;
}

/** Fails with the columns and the whole recommendation when `chart` is not what `expected` says. */
export function assertChart(chart: ChartRecommendation, expected: ChartExpectation, columns: readonly string[]): void {
  const context = `(columns ${columns.join(', ')}; ${JSON.stringify(chart)})`;
  for (const [k, v] of Object.entries(expected.recommended)) assert.equal((chart.recommended as Record<string, unknown>)[k], v, `${k} ${context}`);
  const alternatives = chart.alternatives.map((a) => a.type);
  for (const type of expected.offers ?? []) assert.ok(alternatives.includes(type), `offers ${type} ${context}`);
  for (const type of expected.never ?? []) assert.not.ok([chart.recommended.type, ...alternatives].includes(type), `never ${type} ${context}`);
  if (expected.reason) assert.match(chart.reason, expected.reason, context);
}
