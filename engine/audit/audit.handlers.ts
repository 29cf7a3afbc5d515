import type { Handlers } from '../router/router';
import type { AuditLog } from './audit-log';

export function auditHandlers(audit: AuditLog): Pick<Handlers, 'audit.list' | 'audit.verify'> {
  return {
    'audit.list': (query) => audit.list(query ?? {}),
    'audit.verify': () => audit.verify(),
  };
}
