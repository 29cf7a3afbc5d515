/**
 * The offline planner's confidence signals on spider-dev11, question by
 * question, with whether the planned query was right: what the calibration
 * bench fits and scores the confidence model on.
 *
 * The planner returns its signals with an answer but not with a decline, and
 * it declines a reading whose confidence falls below DECLINE_BELOW. Weights
 * fitted without a schema can lift such a reading above the threshold, so the
 * bench needs those readings too: for a question declined as guesswork it
 * reads the question again the way planQuestion does (link, intent, resolve),
 * runs that reading's query and scores it. It checks that this reading is the
 * one the planner declined (same confidence, below the threshold), so a change
 * in the planner's path fails here instead of skewing the numbers.
 */
import type { MetadataDocument } from '../../../engine/contract/index';
import { askWhichWasMeant } from '../../../engine/planner/clarify';
import { DECLINE_BELOW, type PlanSignals } from '../../../engine/planner/confidence';
import { renderers } from '../../../engine/planner/dialects/index';
import { readIntent } from '../../../engine/planner/intent';
import { BUILT_IN } from '../../../engine/planner/lexicon';
import { link } from '../../../engine/planner/linker';
import { planQuestion, type PlannerResult } from '../../../engine/planner/planner';
import { resolve } from '../../../engine/planner/resolve';
import { indexSchema } from '../../../engine/planner/schema-index';
import { combineReadings, splitBoth, splitButNot } from '../../../engine/planner/set-ops';
import { tokenize } from '../../../engine/planner/text';
import type { SpiderDatabase } from '../../support/databases';
import { planWithOfflinePlanner, scoreSpider, type Hardness, type SpiderRecord } from '../../support/spider';

/** planWithOfflinePlanner's row limit (above every gold result). */
const ROW_LIMIT = 1_000;
/** The planner's reason when a reading's confidence is below DECLINE_BELOW. */
const GUESSWORK = 'too much of it would be guesswork';

/**
 * How a question's confidence comes about:
 * `reading`: one reading with its signals (answered, or declined as guesswork by the shipped weights);
 * `combined`: two readings joined ("both X and Y", "X but not Y"): the lower of the halves' confidences, times 0.9;
 * `declined`: declined whatever the weights (out of scope, unanswerable, ambiguous between two readings).
 */
export type ConfidenceRecord = {
  id: string;
  db: SpiderDatabase;
  hardness: Hardness;
  question: string;
  /** The confidence the shipped planner gave (null: declined). */
  shipped: number | null;
} & (
  | { kind: 'reading'; signals: PlanSignals; correct: boolean }
  | { kind: 'combined'; halves: [PlanSignals, PlanSignals]; correct: boolean }
  | { kind: 'declined' }
);

interface Planned {
  kind: ConfidenceRecord['kind'];
  shipped: number | null;
  signals?: PlanSignals;
  halves?: [PlanSignals, PlanSignals];
}

/** A declined-as-guesswork question read again as planQuestion reads it (no history, built-in synonyms). */
function guessworkReading(question: string, metadata: MetadataDocument): { result: PlannerResult; signals: PlanSignals } | null {
  const index = indexSchema(metadata);
  const q = question.trim();
  const resolution = resolve(index, readIntent(link(index, tokenize(q), q, BUILT_IN), q));
  if (resolution.confidence >= DECLINE_BELOW) {
    throw new Error(`the bench's reading of "${question}" has confidence ${resolution.confidence}, but the planner declined it as guesswork: the planner's path changed (update confidence-records.ts)`);
  }
  const query = renderers.postgres.render(resolution.plan, index, ROW_LIMIT);
  if (resolution.tie) {
    const otherQuery = renderers.postgres.render(resolution.tie.otherPlan, index, ROW_LIMIT);
    const plan = (rephrased: string) => planWithOfflinePlanner(rephrased, metadata);
    if (askWhichWasMeant({ question: q, tie: resolution.tie, chosenQuery: query, otherQuery, plan })) return null;
  }
  return { result: { ok: true, query, dialect: 'postgres', explanation: '', confidence: resolution.confidence, plan: resolution.plan, signals: resolution.signals }, signals: resolution.signals };
}

/** The two readings of a combined answer, split as the planner splits them, with their signals. */
function combinedHalves(question: string, metadata: MetadataDocument): [PlanSignals, PlanSignals] | null {
  for (const [op, split] of [
    ['intersect', splitBoth],
    ['except', splitButNot],
  ] as const) {
    const pair = split(question.trim());
    if (!pair) continue;
    const [first, second] = pair.map((half) => planQuestion({ question: half, metadata, dialect: 'postgres', rowLimit: ROW_LIMIT, history: [] }));
    if (!first?.ok || !second?.ok || !combineReadings(first, second, op, question)) continue;
    if (first.signals && second.signals) return [first.signals, second.signals];
  }
  return null;
}

/** Every spider-dev11 question with its confidence signals and whether its reading was right. */
export async function collectConfidenceRecords(): Promise<{ records: ConfidenceRecord[]; scored: SpiderRecord[] }> {
  const planned: Planned[] = [];
  const scored = await scoreSpider((question, metadata) => {
    const result = planWithOfflinePlanner(question, metadata);
    if (result.ok && result.signals) {
      planned.push({ kind: 'reading', shipped: result.confidence, signals: result.signals });
      return result;
    }
    if (result.ok) {
      const halves = combinedHalves(question, metadata);
      if (!halves) throw new Error(`"${question}" was answered without signals and is not two readings joined`);
      planned.push({ kind: 'combined', shipped: result.confidence, halves });
      return result;
    }
    const again = result.reason.includes(GUESSWORK) ? guessworkReading(question, metadata) : null;
    if (!again) {
      planned.push({ kind: 'declined', shipped: null });
      return result;
    }
    planned.push({ kind: 'reading', shipped: null, signals: again.signals });
    return again.result;
  });
  if (planned.length !== scored.length) throw new Error(`planned ${planned.length} questions but scored ${scored.length}`);
  const records = scored.map((r, i): ConfidenceRecord => {
    const p = planned[i]!;
    const base = { id: r.id, db: r.db, hardness: r.hardness, question: r.question, shipped: p.shipped };
    const correct = r.answer === 'correct';
    if (p.kind === 'reading') return { ...base, kind: 'reading', signals: p.signals!, correct };
    if (p.kind === 'combined') return { ...base, kind: 'combined', halves: p.halves!, correct };
    return { ...base, kind: 'declined' };
  });
  return { records, scored };
}
