import { z } from 'zod';
import { channel, Id } from './channel';

export const StageStats = z.object({
  stage: z.string(),
  count: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  p50Ms: z.number().nullable(),
  p95Ms: z.number().nullable(),
  tokensIn: z.number().int().nonnegative(),
  tokensOut: z.number().int().nonnegative(),
  /** What the stage is called in the app ("Running the query"). */
  label: z.string(),
  /** The engine's p95 target for this stage; null where there is none (waiting for a person). */
  slaMs: z.number().nullable(),
  /** p95 is over `slaMs`. */
  overSla: z.boolean(),
});

/** One recorded stage of one question, as the Diagnostics view and `polystore trace` show it. */
export const TraceStage = z.object({
  stage: z.string(),
  startedAt: z.string(),
  durationMs: z.number().nonnegative().nullable(),
  status: z.enum(['ok', 'error']),
  label: z.string(),
  slaMs: z.number().nullable(),
  /** This stage alone took longer than its target. */
  overSla: z.boolean(),
  /** The stage this one ran inside (the safety checks of the drafts a planner writes run within generation), so totals do not count it twice. */
  within: z.string().nullable(),
});

/** One execution of the question's approved query, as stored in the run log. */
export const TraceRun = z.object({
  runId: z.string(),
  status: z.enum(['succeeded', 'failed', 'cancelled']),
  startedAt: z.string(),
  latencyMs: z.number().nonnegative(),
  rowCount: z.number().int().nonnegative().nullable(),
  truncated: z.boolean().nullable(),
  errorCode: z.string().nullable(),
  errorMessage: z.string().nullable(),
  sourceId: z.string(),
  resultId: z.string().nullable(),
});

export const Trace = z.object({
  traceId: z.string(),
  stages: z.array(TraceStage),
  runs: z.array(TraceRun),
  /** From the first stage's start to the last stage's end. */
  totalMs: z.number().nonnegative(),
  /** The sum of the stages not run within another one: never more than `totalMs`. */
  stagesMs: z.number().nonnegative(),
  /** Some stage took longer than its target. */
  slow: z.boolean(),
});

/** A question one of whose stages went over its target, for the Diagnostics list. */
export const SlowRun = z.object({
  traceId: z.string(),
  startedAt: z.string(),
  runId: z.string().nullable(),
  sourceId: z.string().nullable(),
  over: z.array(z.object({ stage: z.string(), label: z.string(), durationMs: z.number().nonnegative(), slaMs: z.number() })),
});

export const StageSla = z.object({ stage: z.string(), label: z.string(), slaMs: z.number().nullable(), why: z.string() });

export const telemetryChannels = {
  'telemetry.stages': channel({
    summary: 'Latency p50/p95 and token totals per stage (generation, validation, approval, execution, transfer, rendering), each with its target. Local only.',
    input: z.strictObject({ since: z.string().datetime({ offset: true }).optional() }).optional(),
    output: z.array(StageStats),
  }),
  'telemetry.record': channel({
    summary: 'Records a stage measured in the renderer (receiving the rows, rendering a result or its chart) under its trace id.',
    input: z.strictObject({ traceId: Id, stage: z.enum(['transfer', 'rendering', 'rendering.chart']), durationMs: z.number().nonnegative().max(3_600_000), status: z.enum(['ok', 'error']) }),
    output: z.object({ recorded: z.literal(true) }),
  }),
  'telemetry.trace': channel({
    summary:
      'The stages recorded under one trace id (a query message carries it as `traceId`), in the order they started, with the runs of its query (rows, errors). `id` takes a trace id or a run id. NOT_FOUND when nothing was recorded under it.',
    input: z.union([z.strictObject({ traceId: Id }), z.strictObject({ runId: Id }), z.strictObject({ id: Id })]),
    output: Trace,
  }),
  'telemetry.slowRuns': channel({
    summary: 'The most recent questions with a stage over its target, newest first.',
    input: z.strictObject({ limit: z.number().int().min(1).max(200).optional() }).optional(),
    output: z.array(SlowRun),
  }),
  'telemetry.slas': channel({
    summary: 'The p95 target of every stage and why it is what it is (the engine defines them; the Diagnostics view and the CLI show them).',
    input: z.strictObject({}).optional(),
    output: z.array(StageSla),
  }),
};
