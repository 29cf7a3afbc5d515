import type { QueryService } from '../query/query-service';
import type { Handlers } from '../router/router';
import type { ChatService } from './chat-service';
import type { ProviderService } from './providers';

type ChatChannels = Extract<keyof Handlers, `chat.${string}` | `providers.${string}`>;

export function chatHandlers(chat: ChatService, providers: ProviderService, queries: QueryService): Pick<Handlers, ChatChannels> {
  return {
    'chat.listSessions': (input) => chat.listSessions(input ?? {}),
    'chat.createSession': ({ sourceId, title }) => chat.createSession(sourceId, title),
    'chat.getSession': ({ sessionId }) => chat.getSession(sessionId),
    'chat.renameSession': ({ sessionId, title }) => chat.rename(sessionId, title),
    'chat.archiveSession': ({ sessionId, archived }) => chat.archive(sessionId, archived),
    'chat.ask': (input) => chat.ask(input),
    'chat.editQuery': (input) => chat.editQuery(input),
    'chat.approve': async (input) => ({ message: await chat.approve(input) }),
    'chat.deny': async (input) => ({ message: await chat.deny(input) }),
    'chat.cancel': ({ runId }) => {
      queries.assertCancellable(runId);
      return { cancelled: queries.cancel(runId) };
    },
    'chat.ledger': ({ messageId }) => chat.ledger(messageId),
    'chat.listResults': (input) => chat.listResults(input ?? {}),
    'chat.result': ({ resultId }) => chat.result(resultId),
    'providers.get': () => providers.info(),
    'providers.presets': () => providers.presets(),
    'providers.set': (input) => providers.set(input),
    'providers.clear': () => providers.clear(),
    'providers.test': (input) => (input?.config ? providers.test({ ...input, config: input.config }) : providers.test()),
  };
}
