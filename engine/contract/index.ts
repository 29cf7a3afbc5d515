import type { z } from 'zod';
import { appChannels, appEvents } from './app.contract';
import { auditChannels } from './audit.contract';
import { authChannels, authEvents } from './auth.contract';
import { chatChannels, chatEvents } from './chat.contract';
import { evalChannels, evalEvents } from './eval.contract';
import { hostChannels } from './host.contract';
import { providersChannels } from './providers.contract';
import { queryOpsChannels } from './query-ops.contract';
import { settingsChannels } from './settings.contract';
import { telemetryChannels } from './telemetry.contract';
import { sourcesChannels, sourcesEvents } from './sources.contract';
import { verifiedChannels } from './verified.contract';
import type { ChannelDef } from './channel';
import type { EventDef } from './event';

export * from './errors';
export * from './channel';
export * from './event';
export * from './app.contract';
export * from './audit.contract';
export * from './auth.contract';
export * from './chart.contract';
export * from './chat.contract';
export * from './eval.contract';
export * from './metadata.contract';
export * from './query.contract';
export * from './query-ops.contract';
export * from './query-status.contract';
export * from './providers.contract';
export * from './host.contract';
export * from './settings.contract';
export * from './shortcuts';
export * from './sources.contract';
export * from './telemetry.contract';
export * from './verified.contract';

/**
 * Every channel the engine answers, by `group.verb`. This object is the single
 * source of truth: the router validates against it, the preload and the
 * browser bridge generate their API from it, the CLI dispatches through it.
 */
export const contract = {
  ...appChannels,
  ...authChannels,
  ...settingsChannels,
  ...sourcesChannels,
  ...queryOpsChannels,
  ...chatChannels,
  ...telemetryChannels,
  ...providersChannels,
  ...hostChannels,
  ...auditChannels,
  ...evalChannels,
  ...verifiedChannels,
} satisfies Record<string, ChannelDef>;

export const events = {
  ...appEvents,
  ...authEvents,
  ...sourcesEvents,
  ...chatEvents,
  ...evalEvents,
} satisfies Record<string, EventDef>;

export type Contract = typeof contract;
export type ChannelName = keyof Contract & string;
export type ChannelInput<C extends ChannelName> = z.input<Contract[C]['input']>;
export type ChannelParsedInput<C extends ChannelName> = z.output<Contract[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.output<Contract[C]['output']>;

export type Events = typeof events;
export type EventName = keyof Events & string;
export type EventPayload<E extends EventName> = z.output<Events[E]['payload']>;

export const channelNames = Object.keys(contract) as ChannelName[];
export const eventNames = Object.keys(events) as EventName[];

export function isChannelName(name: unknown): name is ChannelName {
  return typeof name === 'string' && Object.hasOwn(contract, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}
