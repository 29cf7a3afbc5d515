import { renderers } from './dialects/index';
import { explain } from './explain';
import { applyFollowUp, isFollowUp } from './follow-up';
import { readIntent } from './intent';
import { BUILT_IN, OUT_OF_SCOPE, RELATIVE_TIME } from './lexicon';
import { link } from './linker';
import { PlanError } from './plan-tables';
import { combineReadings, splitBoth, splitButNot } from './set-ops';
import { resolve, Unanswerable, type Tie } from './resolve';
import { askWhichWasMeant } from './clarify';
import { indexSchema } from './schema-index';
import { helpfulDecline } from './suggestions';
import { tokenize } from './text';
import { DECLINE_BELOW, type PlanSignals } from './confidence';
import type { PlannerInput, PlannerResult, QueryPlan } from './types';

export type { PlannerDialect, PlannerInput, PlannerResult, PlannerTurn, QueryPlan } from './types';

const MAX_QUESTION_LENGTH = 500;
/** Two readings joined: less sure than either alone. */
const COMBINED_READING_FACTOR = 0.9;

/**
 * The built-in offline planner: plain language to one SQL or MongoDB query,
 * without a model. Deterministic (same input, same output) and synchronous.
 * Never throws for a question it cannot handle: it declines with a reason
 * and example questions that it can answer.
 */
export function planQuestion(input: PlannerInput): PlannerResult {
  const question = input.question.trim();
  const index = indexSchema(input.metadata);
  const decline = (why: string): PlannerResult => helpfulDecline({ why, question, index, plan: (q) => planQuestion({ ...input, question: q, history: [] }) });

  if (question === '') return decline('the question is empty');
  if (question.length > MAX_QUESTION_LENGTH) return decline(`the question is longer than ${MAX_QUESTION_LENGTH} characters`);
  if (index.tables.length === 0) return decline('this source has no tables or collections in its metadata');
  if (OUT_OF_SCOPE.test(question)) return decline('it asks for more than a lookup (only counts, listings, totals, averages and rankings work without a model)');
  if (RELATIVE_TIME.test(question)) return decline('it uses a time relative to today; name the period instead (for example "in 2024" or "in March 2023")');

  const rowLimit = Math.max(1, Math.floor(input.rowLimit));
  const lexicon = BUILT_IN.extendedWith(input.lexicon);
  if (lexicon === null) return decline("the source's synonym groups are not lists of two words or more");
  const attempt = (): { plan: QueryPlan; confidence: number; signals?: PlanSignals; tie?: Tie | null } => {
    const items = link(index, tokenize(question), question, lexicon);
    const intent = readIntent(items, question);
    const previous = input.history?.[input.history.length - 1];
    if (previous && isFollowUp(question, intent)) {
      try {
        const plan = applyFollowUp(index, previous.plan, intent, question);
        return { plan, confidence: followUpConfidence(plan) };
      } catch (error) {
        if (!(error instanceof Unanswerable)) throw error;
        // Not a change we understand: read it as a question of its own.
        const fresh = readIntent(link(index, tokenize(question), question, lexicon), question);
        return resolve(index, fresh);
      }
    }
    return resolve(index, intent);
  };

  // "both X and Y" (INTERSECT), "X but not Y" (EXCEPT): two readings combined, when each is understood and they list the same columns.
  if (!input.history?.length) {
    for (const [op, split] of [
      ['intersect', splitBoth],
      ['except', splitButNot],
    ] as const) {
      const pair = split(question);
      if (!pair) continue;
      const [first, second] = pair.map((q) => planQuestion({ ...input, question: q, history: [] }));
      if (!first?.ok || !second?.ok) continue;
      const plan = combineReadings(first, second, op, question);
      if (!plan) continue;
      const confidence = Math.round(Math.min(first.confidence, second.confidence) * COMBINED_READING_FACTOR * 100) / 100;
      if (confidence < DECLINE_BELOW) continue;
      const query = renderers[input.dialect].render(plan, index, rowLimit);
      return { ok: true, query, dialect: input.dialect, explanation: explain(plan, rowLimit), confidence, plan };
    }
  }

  try {
    const { plan, confidence, signals, tie } = attempt();
    if (confidence < DECLINE_BELOW) return decline('too much of it would be guesswork');
    const query = renderers[input.dialect].render(plan, index, rowLimit);
    if (tie) {
      const otherQuery = renderers[input.dialect].render(tie.otherPlan, index, rowLimit);
      const asked = askWhichWasMeant({ question, tie, chosenQuery: query, otherQuery, plan: (q) => planQuestion({ ...input, question: q, history: [] }) });
      if (asked) return asked;
    }
    return { ok: true, query, dialect: input.dialect, explanation: explain(plan, rowLimit), confidence, plan, ...(signals ? { signals } : {}) };
  } catch (error) {
    if (error instanceof Unanswerable || error instanceof PlanError) return decline(error.message.replace(/\.$/, ''));
    throw error;
  }
}

function followUpConfidence(plan: QueryPlan): number {
  return Math.max(0.3, Math.round(0.85 * 0.9 ** plan.guesses.length * 100) / 100);
}
