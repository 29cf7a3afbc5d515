/**
 * The offline planner on spider-dev11 (409 questions over 11 public schemas it
 * was not written for), with no model: every question planned as the app
 * plans it, the SQL run on PostgreSQL, and the result matched against the gold
 * rows (engine/eval/match.ts). Prints execution accuracy by hardness, outcomes
 * and the precision/coverage table by confidence. Targets (issue 10):
 * accuracy >= 45% (easy >= 70%, medium >= 50%), precision >= 90% at
 * confidence >= 0.8, no planner crash and no SQL the database rejects.
 *
 *   node --import tsx test/bench/spider.bench.ts
 */
import { planWithOfflinePlanner, scoreSpider, spiderReport } from '../support/spider';

const started = performance.now();
const records = await scoreSpider(planWithOfflinePlanner);
console.log(`Offline planner on spider-dev11: ${records.length} questions over 11 schemas on PostgreSQL, no model; correct = execution match, extra columns included`);
console.log('');
console.log(spiderReport(records));
console.log('');
console.log(`Scored in: ${((performance.now() - started) / 1000).toFixed(1)} s (loading the schemas included)`);
