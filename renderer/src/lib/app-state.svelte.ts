import type { AppInfo, Health } from '../../../engine/contract/index';
import { getApi } from './api';

/** Mirrors the engine's identity and health; the status bar renders it. */
export class AppState {
  #info = $state.raw<AppInfo | null>(null);
  #health = $state.raw<Health | null>(null);
  #connected = $state.raw(false);
  #bridgeMissing = $state.raw(getApi() === null);

  get info() {
    return this.#info;
  }
  get health() {
    return this.#health;
  }
  get connected() {
    return this.#connected;
  }
  get bridgeMissing() {
    return this.#bridgeMissing;
  }

  /** Starts listening for health events; returns the unsubscribe. */
  start(): () => void {
    const api = getApi();
    if (!api) return () => {};
    const off = api.on('app.health', (health) => {
      this.#health = health;
      this.#connected = true;
    });
    void this.refresh();
    return off;
  }

  async refresh(): Promise<void> {
    const api = getApi();
    if (!api) return;
    const [info, health] = await Promise.all([api.app.info(), api.app.health()]);
    if (info.ok) this.#info = info.value;
    if (health.ok) this.#health = health.value;
    this.#connected = info.ok || (!info.ok && info.error.code !== 'UNAVAILABLE');
  }
}

export const appState = new AppState();
