import { z } from 'zod';

/**
 * How a channel behaves while the local profile is locked. Only the handful of
 * channels needed to set up or unlock the profile are `open`; everything else
 * answers LOCKED, enforced by the router.
 */
export type ChannelAccess = 'open' | 'unlocked';

export interface ChannelDef<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  readonly input: I;
  readonly output: O;
  readonly access: ChannelAccess;
  /** One line for the README's channel list and for generated docs. */
  readonly summary: string;
}

export function channel<I extends z.ZodType, O extends z.ZodType>(def: {
  input: I;
  output: O;
  summary: string;
  access?: ChannelAccess;
}): ChannelDef<I, O> {
  return { access: 'unlocked', ...def };
}

/** Input for channels that take no arguments: nothing, or an empty object. */
export const NoInput = z.strictObject({}).optional();

export const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'must be an id');
export const IsoTime = z.string().datetime({ offset: true });
