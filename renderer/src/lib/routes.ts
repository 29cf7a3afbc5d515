/** The app's pages, in navigation order. Plain data so it can be unit-tested. */
export const ROUTES = [
  { id: 'sources', label: 'Sources', shortcut: '1', icon: 'database' },
  { id: 'chat', label: 'Ask', shortcut: '2', icon: 'chat' },
  { id: 'results', label: 'Results', shortcut: '3', icon: 'table' },
  { id: 'audit', label: 'Audit log', shortcut: '4', icon: 'shield' },
  { id: 'settings', label: 'Settings', shortcut: ',', icon: 'settings' },
] as const;

export type RouteId = (typeof ROUTES)[number]['id'];
export const DEFAULT_ROUTE: RouteId = 'sources';

export interface Location {
  route: RouteId;
  /** Path segments after the route, e.g. a source id. */
  params: string[];
}

export function parseHash(hash: string): Location {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [head, ...params] = parts;
  const route = ROUTES.find((r) => r.id === head)?.id ?? DEFAULT_ROUTE;
  return { route, params: route === head ? params : [] };
}

export function toHash(route: RouteId, ...params: string[]): string {
  return '#/' + [route, ...params].map(encodeURIComponent).join('/');
}

/** Maps Cmd/Ctrl + key to a route, or null. */
export function routeForShortcut(key: string): RouteId | null {
  return ROUTES.find((r) => r.shortcut === key)?.id ?? null;
}
