import { withChart } from '../charts/recommend';
import { EngineError } from '../errors';
import { assertCapability, descriptors, queryChartHints } from '../connectors/descriptors';
import type { Handlers } from '../router/router';
import type { SourceRegistry } from '../sources/source-registry';
import type { Telemetry } from '../telemetry/telemetry';
import type { QueryService } from './query-service';

type Channels = 'sources.test' | 'sources.testDraft' | 'sources.files' | 'metadata.get' | 'query.check' | 'query.prepare' | 'query.run' | 'query.deny' | 'query.cancel';

export function queryHandlers(service: QueryService, sources: SourceRegistry, telemetry: Telemetry): Pick<Handlers, Channels> {
  return {
    'sources.test': ({ id }) => service.test(id),
    'sources.testDraft': async (input) => {
      const result = await service.testDraft(input);
      // Saving exactly these details next gives the new source this result, not "Not tested".
      sources.rememberDraftTest(input, result);
      return result;
    },
    'sources.files': ({ id }) => {
      assertCapability(sources.get(id).type, 'filePreview');
      return service.files(id);
    },
    'metadata.get': ({ sourceId, refresh }) => {
      assertCapability(sources.get(sourceId).type, 'schemaBrowse');
      return service.metadata(sourceId, { refresh: refresh ?? false });
    },
    'query.check': ({ sourceId, query }) => service.check(sourceId, query),
    'query.prepare': (input) => service.prepare(input),
    'query.run': async (input) => {
      // chat.approve times a conversation's run as its question's execution stage; a run of the same
      // query through query.run (the CLI's `polystore run`) is timed the same way, so it is not missing
      // from Diagnostics and the trace. A refused token is not timed: it was never accepted.
      const startedAt = Date.now();
      const t0 = performance.now();
      const timed = (status: 'ok' | 'error') => {
        const trace = service.traceForToken(input.token);
        if (trace) telemetry.record({ traceId: trace.traceId, stage: 'execution', sourceId: trace.sourceId, sessionId: trace.sessionId, startedAt, durationMs: performance.now() - t0, status });
      };
      try {
        const ran = await service.run(input);
        timed('ok');
        return withChart(ran, queryChartHints(descriptors[sources.get(ran.sourceId).type].dialect, ran.query));
      } catch (error) {
        if (!(error instanceof EngineError && error.code === 'APPROVAL')) timed('error');
        throw error;
      }
    },
    'query.deny': async ({ token }) => {
      await service.deny(token);
      return { denied: true as const };
    },
    'query.cancel': ({ runId }) => {
      service.assertCancellable(runId);
      return { cancelled: service.cancel(runId) };
    },
  };
}
