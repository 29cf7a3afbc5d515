/** The app's pages, in navigation order (their shortcuts: lib/shortcuts.ts). Plain data so it can be unit-tested. */
export const ROUTES = [
  { id: 'sources', label: 'Sources', icon: 'database' },
  { id: 'chat', label: 'Ask', icon: 'chat' },
  { id: 'results', label: 'Results', icon: 'table' },
  { id: 'audit', label: 'Audit log', icon: 'shield' },
  { id: 'eval', label: 'Evaluate', icon: 'flask' },
  { id: 'settings', label: 'Settings', icon: 'settings' },
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
