/**
 * Query and aggregation semantics for the test server, delegated to mingo.
 * $sample, $out and $merge are the server's own: mingo samples with
 * replacement and appends $out output to the target instead of replacing it.
 */
import { Aggregator } from 'mingo/aggregator';
import { Context, ProcessingMode } from 'mingo/core';
import { Lazy, type Iterator } from 'mingo/lazy';
import * as accumulatorOperators from 'mingo/operators/accumulator';
import * as expressionOperators from 'mingo/operators/expression';
import * as pipelineOperators from 'mingo/operators/pipeline';
import * as projectionOperators from 'mingo/operators/projection';
import * as queryOperators from 'mingo/operators/query';
import * as windowOperators from 'mingo/operators/window';
import { Query } from 'mingo/query';
import type { Options } from 'mingo/types';
import { cloneDeep, compare } from 'mingo/util';
import { CommandError, idKey, type Doc, type Store } from './store';

function $sample(collection: Iterator, expr: { size?: unknown }): Iterator {
  const size = expr?.size;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 0) {
    throw new CommandError(28747, 'Location28747', 'size argument to $sample must be a non-negative integer');
  }
  return collection.transform((docs: unknown[]) => {
    // Partial Fisher-Yates: distinct documents, like the server's random cursor.
    const pool = docs.slice();
    const take = Math.min(size, pool.length);
    for (let i = 0; i < take; i++) {
      const j = i + Math.floor(Math.random() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return Lazy(pool.slice(0, take));
  });
}

/**
 * Key order as MongoDB gives it: fields kept from the input in their input
 * order, then new fields in the order of the projection (mingo orders them
 * by name).
 */
function inMongoOrder(input: Doc, output: Doc, spec: string[]): Doc {
  const inputKeys = Object.keys(input);
  const rank = (key: string) => {
    const i = inputKeys.indexOf(key);
    return i >= 0 ? i : inputKeys.length + spec.indexOf(key);
  };
  return Object.fromEntries(Object.keys(output).sort((a, b) => rank(a) - rank(b)).map((k) => [k, output[k]]));
}

function $project(collection: Iterator, expr: Doc, options: Options): Iterator {
  let current: Doc = {};
  const spec = Object.keys(expr);
  // The lazy iterator pulls one document through the whole chain at a time, so `current` is its input.
  const tracked = collection.map((doc: Doc) => (current = doc));
  return mingoProject(tracked, expr, options).map((out: Doc) => inMongoOrder(current, out, spec));
}

const { $sample: _mingoSample, $out: _mingoOut, $merge: _mingoMerge, $project: mingoProject, ...readStages } = pipelineOperators;

const CONTEXT = Context.init({
  accumulator: accumulatorOperators,
  expression: expressionOperators,
  pipeline: { ...readStages, $sample, $project } as typeof readStages,
  projection: projectionOperators,
  query: queryOperators,
  window: windowOperators,
});

const WRITE_STAGES = ['$out', '$merge'];

/** mingo options for reads in `db`: other collections resolve to copies, so no stage can change stored data. */
export function mingoOptions(store: Store, db: string): Options {
  return {
    idKey: '_id',
    useStrictMode: true,
    failOnError: true,
    context: CONTEXT,
    processingMode: ProcessingMode.CLONE_INPUT,
    // Server-side JavaScript is disabled, as on a hardened server.
    scriptEnabled: false,
    collectionResolver: (name: string) => store.documents(db, name).map((d) => cloneDeep(d) as Doc),
  };
}

/** Turns mingo's plain errors into command errors with MongoDB's codes. */
export function asCommandError(error: unknown): never {
  if (error instanceof CommandError) throw error;
  const message = error instanceof Error ? error.message : String(error);
  const stage = /unregistered pipeline operator (\$\w+)/i.exec(message)?.[1];
  if (stage) throw new CommandError(40324, 'Location40324', `Unrecognized pipeline stage name: '${stage}'`);
  const queryOperator = /unknown query operator (\$\w+)/i.exec(message)?.[1];
  if (queryOperator) throw new CommandError(2, 'BadValue', `unknown operator: ${queryOperator}`);
  const expression = /'(\$\w+)' is not registered/i.exec(message)?.[1];
  if (expression) throw new CommandError(168, 'InvalidPipelineOperator', `Unrecognized expression '${expression}'`);
  if (/scriptEnabled/.test(message)) throw new CommandError(2, 'BadValue', 'JavaScript execution is disabled on this server');
  throw new CommandError(2, 'BadValue', message);
}

export function matcher(store: Store, db: string, filter: Doc | undefined): (doc: Doc) => boolean {
  if (!filter || Object.keys(filter).length === 0) return () => true;
  try {
    const query = new Query(filter, mingoOptions(store, db));
    return (doc) => query.test(doc);
  } catch (error) {
    asCommandError(error);
  }
}

export interface FindSpec {
  filter?: Doc;
  projection?: Doc;
  sort?: Doc;
  skip?: number;
  limit?: number;
}

export function runFind(store: Store, db: string, coll: string, spec: FindSpec): Doc[] {
  try {
    const options = mingoOptions(store, db);
    const query = new Query(spec.filter ?? {}, options);
    let cursor = query.find<Doc>(store.documents(db, coll));
    const sort = Object.fromEntries(Object.entries(spec.sort ?? {}).filter(([k]) => k !== '$natural'));
    if (Object.keys(sort).length > 0) cursor = cursor.sort(sort);
    if (spec.skip) cursor = cursor.skip(spec.skip);
    if (spec.limit) cursor = cursor.limit(spec.limit);
    // Copies, so nothing downstream aliases the store.
    const docs = cursor.all().map((d) => cloneDeep(d) as Doc);
    if (!spec.projection || Object.keys(spec.projection).length === 0) return docs;
    return $project(Lazy(docs), spec.projection, options).collect<Doc>();
  } catch (error) {
    asCommandError(error);
  }
}

type WriteTarget = { kind: '$out' | '$merge'; spec: unknown };

function splitWriteStage(pipeline: Doc[]): { read: Doc[]; write: WriteTarget | null } {
  pipeline.forEach((stage, i) => {
    const name = Object.keys(stage)[0] ?? '';
    if (WRITE_STAGES.includes(name) && i !== pipeline.length - 1) {
      throw new CommandError(40601, 'Location40601', `${name} can only be the final stage in the pipeline`);
    }
  });
  const last = pipeline[pipeline.length - 1];
  const name = last ? (Object.keys(last)[0] ?? '') : '';
  if (last && WRITE_STAGES.includes(name)) {
    return { read: pipeline.slice(0, -1), write: { kind: name as '$out' | '$merge', spec: last[name] } };
  }
  return { read: pipeline, write: null };
}

export function hasWriteStage(pipeline: Doc[]): boolean {
  return splitWriteStage(pipeline).write !== null;
}

/** Runs a pipeline over `source`; a final $out or $merge really writes, and then nothing is returned. */
export function runAggregate(store: Store, db: string, source: Doc[], pipeline: Doc[]): Doc[] {
  const { read, write } = splitWriteStage(pipeline);
  let results: Doc[];
  try {
    results = new Aggregator(read, mingoOptions(store, db)).run(source) as Doc[];
  } catch (error) {
    asCommandError(error);
  }
  if (!write) return results;
  if (write.kind === '$out') writeOut(store, db, write.spec, results);
  else writeMerge(store, db, write.spec, results);
  return [];
}

function target(spec: unknown, db: string, stage: string): { db: string; coll: string } {
  if (typeof spec === 'string') return { db, coll: spec };
  if (spec && typeof spec === 'object') {
    const s = spec as { db?: unknown; coll?: unknown };
    if (typeof s.coll === 'string') return { db: typeof s.db === 'string' ? s.db : db, coll: s.coll };
  }
  throw new CommandError(16990, 'Location16990', `${stage} requires a collection name`);
}

function writeOut(store: Store, db: string, spec: unknown, docs: Doc[]): void {
  const to = target(spec, db, '$out');
  store.ensureCollection(to.db, to.coll).replaceAll(docs, `${to.db}.${to.coll}`);
}

function writeMerge(store: Store, db: string, spec: unknown, docs: Doc[]): void {
  const s = (typeof spec === 'string' ? { into: spec } : spec) as {
    into?: unknown;
    on?: string | string[];
    whenMatched?: string | Doc[];
    whenNotMatched?: string;
  };
  const to = target(s.into, db, '$merge');
  const ns = `${to.db}.${to.coll}`;
  const coll = store.ensureCollection(to.db, to.coll);
  const on = Array.isArray(s.on) ? s.on : [s.on ?? '_id'];
  const keyOf = (doc: Doc) => idKey(on.map((f) => doc[f]));
  const byKey = new Map<string, number>();
  coll.docs.forEach((doc, i) => byKey.set(keyOf(doc), i));
  for (const doc of docs) {
    const at = byKey.get(keyOf(doc));
    if (at === undefined) {
      const mode = s.whenNotMatched ?? 'insert';
      if (mode === 'fail') throw new CommandError(13113, 'MergeStageNoMatchingDocument', '$merge could not find a matching document in the target collection');
      if (mode === 'insert') {
        const inserted = coll.insert(doc, ns);
        byKey.set(keyOf(inserted), coll.docs.length - 1);
      }
      continue;
    }
    const existing = coll.docs[at]!;
    const mode = s.whenMatched ?? 'merge';
    if (Array.isArray(mode)) {
      const options = { ...mingoOptions(store, to.db), variables: { new: doc } };
      const [updated] = new Aggregator(mode, options).run([existing]) as Doc[];
      if (updated) coll.docs[at] = { ...updated, _id: existing._id };
    } else if (mode === 'replace') {
      coll.docs[at] = { ...doc, _id: existing._id };
    } else if (mode === 'merge') {
      coll.docs[at] = { ...existing, ...doc, _id: existing._id };
    } else if (mode === 'fail') {
      throw new CommandError(11000, 'DuplicateKey', `$merge found a matching document in ${ns} and whenMatched is 'fail'`);
    }
  }
  coll.reindex(ns);
}

/** Values of a dotted path, descending into arrays the way MongoDB's distinct does. */
function pathValues(value: unknown, parts: string[]): unknown[] {
  if (parts.length === 0) return Array.isArray(value) ? value : [value];
  if (Array.isArray(value)) {
    const [head] = parts;
    if (head !== undefined && /^\d+$/.test(head)) return pathValues(value[Number(head)], parts.slice(1));
    return value.flatMap((v) => pathValues(v, parts));
  }
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const [head, ...rest] = parts;
    const next = (value as Doc)[head!];
    return next === undefined ? [] : pathValues(next, rest);
  }
  return [];
}

export function runDistinct(store: Store, db: string, coll: string, key: string, filter: Doc | undefined): unknown[] {
  const test = matcher(store, db, filter);
  const seen = new Map<string, unknown>();
  for (const doc of store.documents(db, coll)) {
    if (!test(doc)) continue;
    for (const v of pathValues(doc, key.split('.'))) {
      if (v === undefined) continue;
      const k = idKey(v);
      if (!seen.has(k)) seen.set(k, cloneDeep(v));
    }
  }
  return [...seen.values()].sort(compare);
}
