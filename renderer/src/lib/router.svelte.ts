import { parseHash, toHash, type Location, type RouteId } from './routes';

/** Hash-based navigation: survives reloads and needs nothing from the host. */
export class RouterState {
  #location = $state.raw<Location>(parseHash(window.location.hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.#location = parseHash(window.location.hash);
    });
  }

  get location(): Location {
    return this.#location;
  }

  get route(): RouteId {
    return this.#location.route;
  }

  go(route: RouteId, ...params: string[]): void {
    const hash = toHash(route, ...params);
    if (window.location.hash !== hash) window.location.hash = hash;
  }

  /** Like go, without a history entry (a redirect that Back should not return to). */
  replace(route: RouteId, ...params: string[]): void {
    const hash = toHash(route, ...params);
    if (window.location.hash !== hash) window.location.replace(hash);
  }
}

export const router = new RouterState();
