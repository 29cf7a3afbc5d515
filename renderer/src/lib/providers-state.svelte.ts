import type { ProviderInfo } from '../../../engine/contract/index';
import { getApi } from './api';
import { describeGenerator, type Preset } from './provider-form';

/** Which model answers questions, as the engine has it (never an API key). */
export class ProvidersState {
  #info = $state.raw<ProviderInfo | null>(null);
  #presets = $state.raw<Preset[]>([]);
  #error = $state.raw<string | null>(null);
  readonly generator = $derived(describeGenerator(this.#info));

  get info() {
    return this.#info;
  }
  get presets() {
    return this.#presets;
  }
  get error() {
    return this.#error;
  }

  async reload(): Promise<void> {
    const api = getApi();
    if (!api) return;
    const [info, presets] = await Promise.all([api.providers.get(), this.#presets.length ? null : api.providers.presets()]);
    if (info.ok) {
      this.#info = info.value;
      this.#error = null;
    } else if (info.error.code !== 'LOCKED') this.#error = info.error.message;
    if (presets?.ok) this.#presets = presets.value;
  }

  /** After providers.set / providers.clear: the engine's answer replaces the state. */
  set(info: ProviderInfo): void {
    this.#info = info;
  }
}

export const providersState = new ProvidersState();
