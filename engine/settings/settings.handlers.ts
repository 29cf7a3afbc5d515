import type { AuditLog } from '../audit/audit-log';
import type { Handlers } from '../router/router';
import type { SettingsStore } from './settings-store';

export function settingsHandlers(settings: SettingsStore, audit: AuditLog): Pick<Handlers, 'settings.get' | 'settings.update'> {
  return {
    'settings.get': () => settings.view(),
    'settings.update': (patch) => {
      settings.update(patch);
      audit.record({ action: 'settings.updated', details: { changed: Object.keys(patch) } });
      return settings.view();
    },
  };
}
