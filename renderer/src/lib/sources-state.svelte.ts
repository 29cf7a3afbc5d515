import type { Source, SourceTypeInfo } from '../../../engine/contract/index';
import { getApi } from './api';

type TypeInfo = SourceTypeInfo;

/** The source list as the engine has it; reloaded whole when the engine says something changed. */
export class SourcesState {
  #list = $state.raw<Source[]>([]);
  #types = $state.raw<TypeInfo[]>([]);
  #loaded = $state.raw(false);
  #error = $state.raw<string | null>(null);

  get list() {
    return this.#list;
  }
  get types() {
    return this.#types;
  }
  get loaded() {
    return this.#loaded;
  }
  get error() {
    return this.#error;
  }

  byId(id: string): Source | undefined {
    return this.#list.find((s) => s.id === id);
  }

  start(): () => void {
    const api = getApi();
    if (!api) return () => {};
    const off = api.on('sources.changed', () => void this.reload());
    void this.reload();
    return off;
  }

  async reload(): Promise<void> {
    const api = getApi();
    if (!api) return;
    const [list, types] = await Promise.all([api.sources.list(), this.#types.length ? null : api.sources.types()]);
    if (list.ok) {
      this.#list = list.value;
      this.#error = null;
    } else if (list.error.code !== 'LOCKED') this.#error = list.error.message;
    if (types?.ok) this.#types = types.value;
    this.#loaded = true;
  }
}

export const sourcesState = new SourcesState();
