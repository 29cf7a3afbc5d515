import type { Handlers } from '../router/router';
import type { SampleSource } from './sample-source';
import type { SourceRegistry } from './source-registry';

type SourceChannels = 'sources.list' | 'sources.get' | 'sources.types' | 'sources.create' | 'sources.update' | 'sources.disable' | 'sources.enable' | 'sources.confirmRisks' | 'sources.remove' | 'sources.addSample' | 'sources.examples';

export function sourcesHandlers(registry: SourceRegistry, sample: SampleSource): Pick<Handlers, SourceChannels> {
  return {
    'sources.list': () => registry.list(),
    'sources.get': ({ id }) => registry.get(id),
    'sources.types': () => registry.types(),
    'sources.create': (input) => registry.create(input),
    'sources.update': (input) => registry.update(input),
    'sources.disable': ({ id }) => registry.setDisabled(id, true),
    'sources.enable': ({ id }) => registry.setDisabled(id, false),
    'sources.confirmRisks': ({ id }) => registry.confirmRisks(id),
    'sources.addSample': () => sample.add(),
    'sources.examples': ({ id }) => sample.examples(id),
    'sources.remove': async ({ id }) => {
      await registry.remove(id);
      return { id, removed: true as const };
    },
  };
}
