import { withChart } from '../charts/recommend';
import { assertCapability } from '../connectors/descriptors';
import type { Handlers } from '../router/router';
import type { SourceRegistry } from '../sources/source-registry';
import type { QueryService } from './query-service';

type Channels = 'sources.test' | 'sources.testDraft' | 'sources.files' | 'metadata.get' | 'query.check' | 'query.prepare' | 'query.run' | 'query.deny' | 'query.cancel';

export function queryHandlers(service: QueryService, sources: SourceRegistry): Pick<Handlers, Channels> {
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
    'metadata.get': ({ sourceId, refresh }) => service.metadata(sourceId, { refresh: refresh ?? false }),
    'query.check': ({ sourceId, query }) => service.check(sourceId, query),
    'query.prepare': (input) => service.prepare(input),
    'query.run': async (input) => withChart(await service.run(input)),
    'query.deny': async ({ token }) => {
      await service.deny(token);
      return { denied: true as const };
    },
    'query.cancel': ({ runId }) => ({ cancelled: service.cancel(runId) }),
  };
}
