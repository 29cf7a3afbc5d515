import { z } from 'zod';
import { channel } from './channel';

/**
 * Things only a host can do (a native file dialog). The engine answers
 * UNSUPPORTED; the Electron host supplies the real handler, so the browser
 * host and the CLI fall back to typed paths.
 */
export const hostChannels = {
  'host.pickFiles': channel({
    summary: 'Opens the native file dialog (Electron) and returns the chosen paths; empty when cancelled.',
    input: z.strictObject({ title: z.string().max(200).optional() }).optional(),
    output: z.object({ paths: z.array(z.string()) }),
  }),
};
