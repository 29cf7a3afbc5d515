/** The single Electron IPC channel on which the main process pushes engine events to the preload. */
export const EVENT_CHANNEL = 'polystore:event';
