import { z } from 'zod';
import { ApiError } from '../../engine/contract/errors';

/** Messages on the browser host's WebSocket: requests up, replies and events down. */
export const BridgeRequest = z.strictObject({
  id: z.number().int().nonnegative(),
  channel: z.string().max(100),
  payload: z.unknown().optional(),
});
export type BridgeRequest = z.infer<typeof BridgeRequest>;

export const BridgeMessage = z.union([
  z.object({
    id: z.number().int(),
    result: z.union([z.object({ ok: z.literal(true), value: z.unknown() }), z.object({ ok: z.literal(false), error: ApiError })]),
  }),
  z.object({ event: z.string(), payload: z.unknown() }),
]);
export type BridgeMessage = z.infer<typeof BridgeMessage>;

export const BRIDGE_PATH = '/__polystore/bridge';
export const BRIDGE_SCRIPT_PATH = '/__polystore/bridge.js';
export const TOKEN_PARAM = 'token';
/** The close code of a bridge socket whose token the host refused: retrying cannot help. */
export const TOKEN_REFUSED_CLOSE = 4401;
