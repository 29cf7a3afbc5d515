/**
 * Layer 1 for MongoDB: a query is an Extended JSON document, parsed and
 * checked against MongoQueryDocument before anything reaches the server.
 * Aggregation stages come from an allow-list, sub-pipelines included, and the
 * few stages and operators that write or run JavaScript are refused wherever
 * they appear in the tree.
 */
import { dedupeReasons, refusal } from '../shared/verdict';
import { Code, EJSON } from 'bson';
import type { Verdict, VerdictReason, VerdictReasonCode } from '../../contract/query.contract';
import { MongoQueryDocument } from './query-document';

/** The longest query text accepted, in characters (about 100 KB). */
export const MAX_MONGO_QUERY_LENGTH = 100_000;
/** MongoDB itself refuses documents nested deeper than 100 levels in queries; deeper input would only exhaust our stack. */
const MAX_DEPTH = 100;

const READ_OPERATIONS = new Set<string>(MongoQueryDocument.options.map((option) => option.shape.operation.value));

/**
 * Stages that only read and reshape documents. $documents is included: it
 * produces literal documents and is how a $unionWith or $lookup sub-pipeline
 * adds constant rows; it reads nothing from the server.
 */
const ALLOWED_STAGES = new Set([
  '$match',
  '$project',
  '$addFields',
  '$set',
  '$unset',
  '$group',
  '$sort',
  '$limit',
  '$skip',
  '$count',
  '$unwind',
  '$lookup',
  '$facet',
  '$bucket',
  '$bucketAuto',
  '$sortByCount',
  '$replaceRoot',
  '$replaceWith',
  '$sample',
  '$unionWith',
  '$graphLookup',
  '$setWindowFields',
  '$densify',
  '$fill',
  '$geoNear',
  '$redact',
  '$documents',
]);

/** Stages that write, refused anywhere in the document. */
const WRITE_STAGES: Record<string, string> = {
  $out: '$out is not allowed: it writes the results into a collection, replacing what is there',
  $merge: '$merge is not allowed: it writes the results into a collection',
};

/** Stages that read server internals or other users' activity rather than data. */
const ADMIN_STAGES: Record<string, string> = {
  $currentOp: 'it lists the operations running on the server, including other users\u2019 queries',
  $listSessions: 'it lists other users\u2019 sessions',
  $listLocalSessions: 'it lists other users\u2019 sessions',
  $collStats: 'it reads server statistics, not data',
  $indexStats: 'it reads server statistics, not data',
  $planCacheStats: 'it reads the server\u2019s query plan cache, not data',
  $changeStream: 'it opens a long-lived change stream instead of answering once',
  $changeStreamSplitLargeEvent: 'it belongs to change streams, which are not queries',
  $listSearchIndexes: 'it reads index definitions, not data',
  $shardedDataDistribution: 'it reads cluster internals, not data',
  $listSampledQueries: 'it lists other users\u2019 queries',
  $querySettings: 'it reads server settings, not data',
  $listClusterCatalog: 'it reads cluster internals, not data',
};

/** Operators that run server-side JavaScript, refused anywhere in the document. */
const FORBIDDEN_OPERATORS: Record<string, string> = {
  $where: '$where is not allowed: it runs JavaScript on the server',
  $function: '$function is not allowed: it runs JavaScript on the server',
  $accumulator: '$accumulator is not allowed: it runs JavaScript on the server',
};

export interface MongoInspection {
  verdict: Verdict;
  /** The parsed document (Extended JSON values as BSON types) when the verdict allows it. */
  document: MongoQueryDocument | null;
}

/** Static check of a MongoDB query document; never touches the server. */
export function validateMongoQuery(text: string): Verdict {
  return inspectMongoQuery(text).verdict;
}

/** Like validateMongoQuery, and also hands back the parsed document so callers need not parse twice. */
export function inspectMongoQuery(text: string): MongoInspection {
  if (text.trim() === '') return refused('EMPTY_QUERY', 'The query is empty.', null);
  if (text.length > MAX_MONGO_QUERY_LENGTH) {
    return refused('TOO_LONG', `The query is ${text.length.toLocaleString('en')} characters long; the limit is ${MAX_MONGO_QUERY_LENGTH.toLocaleString('en')}.`, null);
  }

  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return refused('PARSE_ERROR', `The query is not valid JSON: ${(error as Error).message}`, null, jsonErrorPosition(error));
  }
  if (depthOf(json) > MAX_DEPTH) {
    return refused('INVALID_DOCUMENT', `The query document is nested more than ${MAX_DEPTH} levels deep.`, null);
  }

  let value: unknown;
  try {
    value = EJSON.deserialize(json as Record<string, unknown>, { relaxed: true });
  } catch (error) {
    return refused('INVALID_DOCUMENT', `The query uses an Extended JSON value that is not valid: ${(error as Error).message}`, null);
  }

  const statementKind = isPlainObject(value) && typeof value.operation === 'string' ? value.operation : null;
  if (statementKind !== null && !READ_OPERATIONS.has(statementKind)) {
    return refused('NOT_A_QUERY', `The operation "${statementKind}" is not allowed: only reads run here (find, aggregate, count and distinct).`, statementKind);
  }
  const parsed = MongoQueryDocument.safeParse(value);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map((issue): VerdictReason => ({
      code: 'INVALID_DOCUMENT',
      message: `The query document is not valid${issue.path.length > 0 ? ` at ${formatPath(issue.path)}` : ''}: ${issue.message}`,
    }));
    return { verdict: { allowed: false, reasons, statementKind }, document: null };
  }

  const reasons: VerdictReason[] = [];
  scanTree(parsed.data, '', reasons);
  if (parsed.data.operation === 'aggregate') checkPipeline(parsed.data.pipeline, 'pipeline', reasons);

  const unique = dedupeReasons(reasons);
  return {
    verdict: { allowed: unique.length === 0, reasons: unique, statementKind: parsed.data.operation },
    document: unique.length === 0 ? parsed.data : null,
  };
}

function checkPipeline(stages: unknown, path: string, reasons: VerdictReason[]): void {
  if (!Array.isArray(stages)) {
    reasons.push({ code: 'INVALID_DOCUMENT', message: `The value at ${path} must be an array of pipeline stages.` });
    return;
  }
  stages.forEach((stage, index) => checkStage(stage, `${path}[${index}]`, reasons));
}

function checkStage(stage: unknown, path: string, reasons: VerdictReason[]): void {
  const keys = isPlainObject(stage) ? Object.keys(stage) : [];
  const name = keys[0];
  if (!isPlainObject(stage) || keys.length !== 1 || name === undefined || !name.startsWith('$')) {
    reasons.push({ code: 'INVALID_DOCUMENT', message: `The value at ${path} is not a pipeline stage: a stage is an object with exactly one $-prefixed name, such as {"$match": {...}}.` });
    return;
  }
  // Write stages are reported by scanTree wherever they appear, stages included.
  if (name in WRITE_STAGES) return;
  if (!ALLOWED_STAGES.has(name)) {
    const why = ADMIN_STAGES[name] ?? 'only stages that read and reshape documents are allowed';
    reasons.push({ code: 'FORBIDDEN_STAGE', message: `${name} (${path}) is not allowed: ${why}.` });
    return;
  }
  const body = stage[name];
  if (name === '$facet' && isPlainObject(body)) {
    for (const [facet, pipeline] of Object.entries(body)) checkPipeline(pipeline, `${path}.$facet.${facet}`, reasons);
  } else if ((name === '$lookup' || name === '$unionWith') && isPlainObject(body) && 'pipeline' in body) {
    checkPipeline(body.pipeline, `${path}.${name}.pipeline`, reasons);
  }
}

/** Every key and value of the document, however deep: filters, $expr, projections and sub-pipelines alike. */
function scanTree(value: unknown, path: string, reasons: VerdictReason[]): void {
  if (Array.isArray(value)) {
    value.forEach((item, index) => scanTree(item, `${path}[${index}]`, reasons));
    return;
  }
  if (value instanceof Code) {
    reasons.push({ code: 'FORBIDDEN_OPERATOR', message: `JavaScript code values are not allowed (${path || 'the document'}): queries may not carry code for the server to run.` });
    return;
  }
  if (value instanceof Date && Number.isNaN(value.getTime())) {
    reasons.push({ code: 'INVALID_DOCUMENT', message: `The value at ${path} is not a valid date.` });
    return;
  }
  if (!isPlainObject(value)) return;
  for (const [key, child] of Object.entries(value)) {
    const at = path === '' ? key : `${path}.${key}`;
    const write = WRITE_STAGES[key];
    const operator = FORBIDDEN_OPERATORS[key];
    if (write !== undefined) reasons.push({ code: 'FORBIDDEN_STAGE', message: `${write} (${at}).` });
    if (operator !== undefined) reasons.push({ code: 'FORBIDDEN_OPERATOR', message: `${operator} (${at}).` });
    scanTree(child, at, reasons);
  }
}

function depthOf(root: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 1]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > max) max = depth;
    if (max > MAX_DEPTH) return max;
    for (const child of Object.values(value)) stack.push([child, depth + 1]);
  }
  return max;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`)).join('');
}

function jsonErrorPosition(error: unknown): number | undefined {
  const match = /at position (\d+)/.exec((error as Error).message);
  return match ? Number(match[1]) : undefined;
}


function refused(code: VerdictReasonCode, message: string, statementKind: string | null, position?: number): MongoInspection {
  return { verdict: refusal(code, message, statementKind, position), document: null };
}
