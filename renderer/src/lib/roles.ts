import type { Role } from '../../../engine/contract/index';
import { ROUTES, type RouteId } from './routes';

/**
 * What the UI offers each role. The engine's permission matrix
 * (engine/auth/permissions.ts) decides and refuses; this only keeps a viewer
 * from seeing buttons and pages that would answer FORBIDDEN.
 */
const OWNER_ONLY_ROUTES: ReadonlySet<RouteId> = new Set<RouteId>(['audit', 'eval']);

/** Only the owner manages sources, settings, providers, the audit log and profiles, and runs evaluations (eval.run is OWNER in the matrix). A missing role (still loading) offers nothing extra. */
export function isOwner(role: Role | null | undefined): boolean {
  return role === 'owner';
}

export function routesFor(role: Role | null | undefined): ReadonlyArray<(typeof ROUTES)[number]> {
  return isOwner(role) ? ROUTES : ROUTES.filter((r) => !OWNER_ONLY_ROUTES.has(r.id));
}

export function canOpen(route: RouteId, role: Role | null | undefined): boolean {
  return routesFor(role).some((r) => r.id === route);
}
