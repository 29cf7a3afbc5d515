import type { Result } from '../../engine/contract/errors';
import { isChannelName } from '../../engine/contract/index';
import { isRendererChannel } from '../../engine/contract/renderer-channels';
import type { Router } from '../../engine/router/router';
import { isTrustedSenderUrl } from './window-options';

/** The subset of Electron's IpcMainInvokeEvent the handler needs (keeps this file testable without Electron). */
export interface InvokeEvent {
  senderFrame: { url: string } | null;
}

/**
 * Wraps the router for ipcMain.handle: refuses calls from any frame that is not
 * the app's own page, and any channel the page does not use (the preload's
 * allow-list, checked again here), before the router sees them.
 */
export function createIpcHandler(router: Router, devServerOrigin?: string) {
  return async (event: InvokeEvent, channel: string, payload: unknown): Promise<Result<unknown>> => {
    const url = event.senderFrame?.url;
    if (!isTrustedSenderUrl(url, devServerOrigin)) {
      return { ok: false, error: { code: 'FORBIDDEN', message: 'This page may not call the engine.', details: { reason: 'UNTRUSTED_SENDER' } } };
    }
    if (isChannelName(channel) && !isRendererChannel(channel)) {
      return { ok: false, error: { code: 'FORBIDDEN', message: 'The app window may not call this channel.', details: { reason: 'CHANNEL_NOT_EXPOSED', channel: channel.slice(0, 100) } } };
    }
    return router.dispatch(channel, payload, { host: 'electron', senderUrl: url });
  };
}
