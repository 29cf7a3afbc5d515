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
});

/** One recorded stage of one question, as the Diagnostics view and `polystore trace` show it. */
export const TraceStage = z.object({
  stage: z.string(),
  startedAt: z.string(),
  durationMs: z.number().nonnegative().nullable(),
  status: z.enum(['ok', 'error']),
});

export const telemetryChannels = {
  'telemetry.stages': channel({
    summary: 'Latency p50/p95 and token totals per stage (generation, validation, approval, execution, rendering). Local only.',
    input: z.strictObject({ since: z.string().datetime({ offset: true }).optional() }).optional(),
    output: z.array(StageStats),
  }),
  'telemetry.record': channel({
    summary: 'Records a stage measured in the renderer (rendering a result) under its trace id.',
    input: z.strictObject({ traceId: Id, stage: z.enum(['rendering', 'rendering.chart']), durationMs: z.number().nonnegative().max(3_600_000), status: z.enum(['ok', 'error']) }),
    output: z.object({ recorded: z.literal(true) }),
  }),
  'telemetry.trace': channel({
    summary: 'The stages recorded under one trace id (a query message carries it as `traceId`), in the order they started. NOT_FOUND when nothing was recorded under it.',
    input: z.strictObject({ traceId: Id }),
    output: z.object({ traceId: z.string(), stages: z.array(TraceStage) }),
  }),
};
