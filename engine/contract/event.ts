import type { z } from 'zod';
import type { ChannelAccess } from './channel';

export interface EventDef<P extends z.ZodType = z.ZodType> {
  readonly payload: P;
  /** `open` events may reach the renderer while the profile is locked. */
  readonly access: ChannelAccess;
}

export function event<P extends z.ZodType>(payload: P, access: ChannelAccess = 'unlocked'): EventDef<P> {
  return { payload, access };
}
