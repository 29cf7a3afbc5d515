import type { Handlers } from '../router/router';
import type { Telemetry } from './telemetry';

type TelemetryChannels = Extract<keyof Handlers, `telemetry.${string}`>;

export function telemetryHandlers(telemetry: Telemetry, now: () => number = Date.now): Pick<Handlers, TelemetryChannels> {
  return {
    'telemetry.stages': (input) => telemetry.stages(input?.since),
    'telemetry.record': (input) => {
      telemetry.record({ traceId: input.traceId, stage: input.stage, startedAt: now() - input.durationMs, durationMs: input.durationMs, status: input.status });
      return { recorded: true as const };
    },
    'telemetry.trace': (input) => telemetry.lookup(input),
    'telemetry.slowRuns': (input) => telemetry.slowRuns(input?.limit),
    'telemetry.slas': () => telemetry.slas(),
  };
}
