import type { Migration } from '../migration';

/**
 * Each approval remembers the profile it was issued to (S6-002): only that
 * profile may run or deny it, and its run and result are that profile's
 * (engine/auth/permissions.ts). Approvals issued before this migration have
 * none and stay the owner's. Reading one result checks whose run stored it,
 * hence the index.
 */
export const migration: Migration = {
  id: 150,
  name: 'approval-profiles',
  up(db) {
    db.exec(`
      ALTER TABLE approvals ADD COLUMN profile_id TEXT;
      CREATE INDEX query_runs_result ON query_runs (result_id);
    `);
  },
};
