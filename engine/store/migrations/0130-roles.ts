import type { Migration } from '../migration';

/**
 * Owner and viewer profiles (S6-002). Every existing profile is the owner.
 * A viewer sees only the sources the owner shared with it (`source_shares`)
 * and only its own conversations (`session_owners`; a conversation without a
 * row there was started by the owner, before viewers existed). Audit events
 * name the profile that acted (`actor_profile_id`, null for events written
 * before this migration or by the system).
 */
export const migration: Migration = {
  id: 130,
  name: 'roles',
  up(db) {
    db.exec(`
      ALTER TABLE profiles ADD COLUMN role TEXT NOT NULL DEFAULT 'owner' CHECK (role IN ('owner', 'viewer'));

      CREATE TABLE source_shares (
        source_id TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
        profile_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        PRIMARY KEY (source_id, profile_id)
      );
      CREATE INDEX source_shares_profile ON source_shares (profile_id);

      CREATE TABLE session_owners (
        session_id TEXT PRIMARY KEY REFERENCES chat_sessions (id) ON DELETE CASCADE,
        profile_id TEXT NOT NULL REFERENCES profiles (id) ON DELETE CASCADE
      );
      CREATE INDEX session_owners_profile ON session_owners (profile_id);

      ALTER TABLE audit_events ADD COLUMN actor_profile_id TEXT;
    `);
  },
};
