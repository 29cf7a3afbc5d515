import * as assert from 'uvu/assert';
import type { Verdict } from '../../engine/contract/index';

export const codes = (verdict: Verdict) => verdict.reasons.map((r) => r.code);

/** assertRefused / assertAllowed for one store's guardrail (sync or async). */
export function guardrailAsserts(validate: (query: string) => Verdict | Promise<Verdict>) {
  return {
    async assertRefused(query: string, code: string, label = query): Promise<Verdict> {
      const verdict = await validate(query);
      assert.is(verdict.allowed, false, `${label} was allowed`);
      assert.ok(codes(verdict).includes(code as never), `${label}: expected ${code}, got ${JSON.stringify(verdict.reasons)}`);
      return verdict;
    },
    async assertAllowed(query: string, label = query): Promise<Verdict> {
      const verdict = await validate(query);
      assert.equal(verdict.reasons, [], label);
      assert.ok(verdict.allowed, label);
      return verdict;
    },
  };
}
