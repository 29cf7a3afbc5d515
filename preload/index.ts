/**
 * The whole preload: window.polystore, generated from the contract for the
 * channels the page uses (engine/contract/renderer-channels.ts) and no other.
 * It holds no logic; it forwards calls over IPC and fans events out to listeners.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { buildApi, ListenerRegistry } from '../engine/contract/api';
import { isEventName } from '../engine/contract/index';
import { rendererChannels } from '../engine/contract/renderer-channels';
import { EVENT_CHANNEL } from '../engine/contract/transport';

const listeners = new ListenerRegistry();
ipcRenderer.on(EVENT_CHANNEL, (_event, name: unknown, payload: unknown) => {
  if (isEventName(name)) listeners.emit(name, payload);
});

contextBridge.exposeInMainWorld(
  'polystore',
  buildApi({
    invoke: (channel, payload) => ipcRenderer.invoke(channel, payload),
    subscribe: (event, deliver) => listeners.add(event, deliver),
  }, rendererChannels),
);
