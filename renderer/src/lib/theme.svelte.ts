export type ThemePreference = 'system' | 'light' | 'dark';
const KEY = 'polystore.theme';

/**
 * Light and dark follow the OS unless the user picks one. The choice is a
 * display preference of this window, so it lives in localStorage, not the engine.
 */
export class ThemeState {
  #preference = $state.raw<ThemePreference>(readPreference());
  #systemDark = $state.raw(window.matchMedia('(prefers-color-scheme: dark)').matches);
  readonly effective = $derived<'light' | 'dark'>(
    this.#preference === 'system' ? (this.#systemDark ? 'dark' : 'light') : this.#preference,
  );

  constructor() {
    window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', (e) => {
      this.#systemDark = e.matches;
    });
  }

  get preference(): ThemePreference {
    return this.#preference;
  }

  set preference(value: ThemePreference) {
    this.#preference = value;
    localStorage.setItem(KEY, value);
  }
}

function readPreference(): ThemePreference {
  const stored = localStorage.getItem(KEY);
  return stored === 'light' || stored === 'dark' ? stored : 'system';
}

export const theme = new ThemeState();
