import type { Handlers } from '../router/router';
import type { VerifiedService } from './verified-service';

type VerifiedChannels = Extract<keyof Handlers, `verified.${string}`>;

export function verifiedHandlers(verified: VerifiedService): Pick<Handlers, VerifiedChannels> {
  return {
    'verified.list': ({ sourceId }) => verified.list(sourceId),
    'verified.add': (input) => verified.add(input),
    'verified.edit': ({ id, question }) => verified.edit(id, question),
    'verified.remove': ({ id }) => {
      verified.remove(id);
      return { removed: true as const };
    },
    'verified.export': ({ sourceId }) => verified.export(sourceId),
    'verified.import': ({ sourceId, jsonl }) => verified.import(sourceId, jsonl),
  };
}
