/**
 * What a MongoDB query says about its output columns, for the chart: a
 * grouping stage (`$group`, `$sortByCount`, `$bucket`) returns its key in
 * `_id`, which then names the grouping, not a document. Read from the query
 * the connector ran, never guessed from the values: a find's numeric `_id`
 * stays an id however much it looks like a year.
 *
 * The key is read as what it holds: a field (`"$state"`: read as `state`, so
 * `"$year"` is a year and `"$customer_id"` still an id), a date part
 * (`{"$year": "$birthdate"}`: a year bucket, drawn in order), or an
 * expression (a label). A compound key (`{"year": …, "month": …}`) arrives
 * flattened as `_id.year`, `_id.month` (nested-columns.ts) and each part is
 * read the same way. Only stages after the grouping that keep `_id` as it is
 * ($match, $sort, $limit, $skip, and projections that leave `_id` alone)
 * keep the hint; anything else drops it and the values decide.
 */
import type { ChartHints } from '../../charts/profile';

type Doc = Record<string, unknown>;

/** Date parts and the time bucket their values are positions in. */
const DATE_PARTS: Readonly<Record<string, string>> = {
  $year: 'year',
  $isoWeekYear: 'year',
  $month: 'month',
  $week: 'week',
  $isoWeek: 'week',
  $dayOfMonth: 'day',
  $dayOfWeek: 'weekday',
  $isoDayOfWeek: 'weekday',
  $dayOfYear: 'day',
  $hour: 'hour',
};

/** Stages after a grouping that leave `_id` holding its key. */
const KEEPS_ID = new Set(['$match', '$sort', '$limit', '$skip']);

const isDoc = (v: unknown): v is Doc => typeof v === 'object' && v !== null && !Array.isArray(v);

interface Hints {
  dimensions: string[];
  timeBuckets: Record<string, string>;
  groupKeys: Record<string, string | null>;
}

/** One grouping key (or part of a compound one) at `column`. */
function readKey(column: string, key: unknown, hints: Hints): void {
  hints.dimensions.push(column);
  if (typeof key === 'string' && key.startsWith('$') && !key.startsWith('$$')) {
    hints.groupKeys[column] = key.slice(1);
    return;
  }
  hints.groupKeys[column] = null;
  if (!isDoc(key)) return;
  const operators = Object.keys(key);
  const [operator] = operators;
  if (operators.length === 1 && operator && DATE_PARTS[operator]) {
    hints.timeBuckets[column] = DATE_PARTS[operator];
    return;
  }
  // A compound key: its parts become `_id.part` columns.
  if (operators.length > 0 && operators.every((k) => !k.startsWith('$'))) {
    delete hints.groupKeys[column];
    hints.dimensions.pop();
    for (const [part, value] of Object.entries(key)) readKey(`${column}.${part}`, value, hints);
  }
}

/** A projection or $set that leaves `_id` as the grouping made it. */
function leavesId(stage: string, body: unknown): boolean {
  if (!isDoc(body)) return false;
  if (stage === '$project') return !('_id' in body) || body._id === 1 || body._id === true || body._id === 0 || body._id === false;
  return (stage === '$addFields' || stage === '$set') && !Object.keys(body).some((k) => k === '_id' || k.startsWith('_id.'));
}

function groupingHints(pipeline: readonly unknown[]): Hints | null {
  let hints: Hints | null = null;
  for (const stage of pipeline) {
    if (!isDoc(stage)) return null;
    const [name] = Object.keys(stage);
    if (!name) return null;
    const body = stage[name];
    if (name === '$group' && isDoc(body)) {
      hints = { dimensions: [], timeBuckets: {}, groupKeys: {} };
      readKey('_id', body._id, hints);
    } else if (name === '$sortByCount') {
      hints = { dimensions: [], timeBuckets: {}, groupKeys: {} };
      readKey('_id', body, hints);
    } else if ((name === '$bucket' || name === '$bucketAuto') && isDoc(body)) {
      // `_id` is each bucket's lower bound (or its {min, max}): an ordered axis.
      hints = { dimensions: ['_id'], timeBuckets: { _id: 'bucket' }, groupKeys: { _id: null } };
    } else if (hints && !KEEPS_ID.has(name) && !leavesId(name, body)) {
      hints = null;
    }
  }
  return hints;
}

/** The chart hints of a MongoDB query's text; none when it is not an aggregate with a grouping (or not a query document). */
export function mongoChartHints(queryText: string): ChartHints {
  let doc: unknown;
  try {
    doc = JSON.parse(queryText);
  } catch {
    return {};
  }
  if (!isDoc(doc) || doc.operation !== 'aggregate' || !Array.isArray(doc.pipeline)) return {};
  const hints = groupingHints(doc.pipeline);
  if (!hints) return {};
  return { dimensions: hints.dimensions, groupKeys: hints.groupKeys, ...(Object.keys(hints.timeBuckets).length ? { timeBuckets: hints.timeBuckets } : {}) };
}
