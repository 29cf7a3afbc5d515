import fs from 'node:fs';
import path from 'node:path';
import { z, ZodError } from 'zod';
import {
  CLOSED_CIRCUIT,
  FileConnection,
  LoginRisk,
  MongoConnection,
  SourceSettings,
  SqlConnection,
  type CreateSourceInput,
  type Source,
  type SourceStatus,
  type SourceType,
  type UpdateSourceInput,
} from '../contract/index';
import { descriptors, sourceTypes } from '../connectors/descriptors';
import type { ConnectionSpec, ConnectionTestResult } from '../connectors/types';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { newId, nowIso } from '../ids';
import type { AuditLog } from '../audit/audit-log';
import type { SecretStore } from '../secrets/secret-store';
import type { Database } from '../store/migration';
import { DraftTests } from './draft-tests';
import type { SourceCircuits } from './source-circuits';
import { loginRisks, riskCodes } from './login-risks';

const StoredRisks = z.array(LoginRisk);

interface SourceRow {
  id: string;
  name: string;
  type: SourceType;
  connection_json: string;
  settings_json: string;
  secret_ref: string | null;
  disabled: number;
  status: Exclude<SourceStatus, 'DISABLED'>;
  last_checked_at: string | null;
  last_error: string | null;
  can_write: number | null;
  server_version: string | null;
  risks_json: string;
  risks_confirmed_codes: string | null;
  risks_confirmed_at: string | null;
  created_at: string;
  updated_at: string;
}

const CONNECTION_SCHEMAS: Record<SourceType, z.ZodType> = {
  postgres: SqlConnection,
  mysql: SqlConnection,
  mongodb: MongoConnection,
  file: FileConnection,
};

/** A zod failure on connection details, reported as VALIDATION naming the field (`connection.port`). */
function parseConnection(type: SourceType, value: unknown, fieldPrefix: string): unknown {
  try {
    return CONNECTION_SCHEMAS[type].parse(value);
  } catch (error) {
    if (!(error instanceof ZodError)) throw error;
    const issue = error.issues[0]!;
    const field = [fieldPrefix, ...issue.path.map(String)].join('.');
    throw new ValidationError(`Invalid ${field}: ${issue.message}`, { field, issues: error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  }
}

function checkFiles(connection: FileConnection): FileConnection {
  const paths = connection.paths.map((p, i) => {
    const field = `connection.paths.${i}`;
    const resolved = path.resolve(p);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(resolved);
    } catch {
      throw new ValidationError(`File not found: ${resolved}`, { field });
    }
    if (!stat.isFile()) throw new ValidationError(`Not a file: ${resolved}`, { field });
    try {
      fs.accessSync(resolved, fs.constants.R_OK);
    } catch {
      throw new ValidationError(`File is not readable (check its permissions): ${resolved}`, { field });
    }
    return resolved;
  });
  if (new Set(paths).size !== paths.length) throw new ValidationError('The same file is listed twice.', { field: 'connection.paths' });
  return { paths };
}

/** A source whose saved record could be read whole. */
export type ReadableSource = Source & { connection: NonNullable<Source['connection']> };

export interface RegistryOptions {
  secrets: SecretStore;
  audit: AuditLog;
  dataDir: string;
  onChange: (sourceId: string, change: 'created' | 'updated' | 'removed' | 'status') => void;
}

/**
 * Sources: connection details in SQLite, passwords in the keychain (SQLite
 * holds only the account name), and the execution pre-check every run goes through.
 */
export class SourceRegistry {
  readonly #db: Database;
  readonly #options: RegistryOptions;

  readonly #draftTests = new DraftTests();
  /** The query service's circuit breakers (source-circuits.ts), shown with each source. */
  #circuits: SourceCircuits | null = null;

  constructor(db: Database, options: RegistryOptions) {
    this.#db = db;
    this.#options = options;
  }

  /** Shows each source's circuit (the query service's, which reports every call to it) and forgets it when its details change. */
  showCircuits(circuits: SourceCircuits): void {
    this.#circuits = circuits;
  }

  /** A source's circuit opened, closed or went half-open. */
  circuitChanged(sourceId: string): void {
    this.#options.onChange(sourceId, 'status');
  }

  #row(id: string): SourceRow {
    const row = this.#db.prepare('SELECT * FROM sources WHERE id = ?').get(id) as SourceRow | undefined;
    if (!row) throw new NotFoundError('Source', id);
    return row;
  }

  /**
   * The stored JSON columns, read through their schemas. A column that does
   * not parse does not fail the list: the source is returned BROKEN, with
   * what is damaged in `lastError`, and safe stand-ins (default settings, no
   * confirmed risks) until it is edited or removed.
   */
  #readRow(row: SourceRow): { connection: Source['connection']; settings: SourceSettings; risks: LoginRisk[]; damage: string[] } {
    const damage: string[] = [];
    const read = <T>(what: string, json: string, schema: z.ZodType<T>, fallback: T): T => {
      try {
        return schema.parse(JSON.parse(json));
      } catch {
        damage.push(what);
        return fallback;
      }
    };
    const connection = read<Source['connection']>('connection details', row.connection_json, CONNECTION_SCHEMAS[row.type] as z.ZodType<Source['connection']>, null);
    const settings = read('settings', row.settings_json, SourceSettings, SourceSettings.parse({}));
    const risks = read('login risks', row.risks_json, StoredRisks, []);
    return { connection, settings, risks, damage };
  }

  #toSource(row: SourceRow): Source {
    const { connection, settings, risks, damage } = this.#readRow(row);
    const broken = damage.length > 0;
    const confirmed = !broken && (risks.length === 0 || row.risks_confirmed_codes === riskCodes(risks));
    return {
      id: row.id,
      name: row.name,
      type: row.type,
      connection,
      settings,
      capabilities: descriptors[row.type].capabilities,
      status: broken ? 'BROKEN' : row.disabled ? 'DISABLED' : row.status,
      hasSecret: row.secret_ref !== null,
      lastCheckedAt: row.last_checked_at,
      lastError: broken
        ? `The saved ${damage.join(', ')} of this source could not be read (the app database was damaged or edited). Edit the source to enter them again, or remove it.`
        : row.last_error,
      canWrite: row.can_write === null ? null : row.can_write === 1,
      risks,
      risksConfirmed: confirmed,
      risksConfirmedAt: confirmed && risks.length > 0 ? row.risks_confirmed_at : null,
      serverVersion: row.server_version,
      circuit: this.#circuits?.state({ id: row.id, type: row.type, name: row.name }) ?? CLOSED_CIRCUIT,
      createdAt: row.created_at,
      updatedAt: row.updated_at,
    };
  }

  list(): Source[] {
    return (this.#db.prepare('SELECT * FROM sources ORDER BY name COLLATE NOCASE').all() as SourceRow[]).map((r) => this.#toSource(r));
  }

  get(id: string): Source {
    return this.#toSource(this.#row(id));
  }

  types() {
    return sourceTypes();
  }

  #assertNameFree(name: string, exceptId?: string): void {
    const clash = this.#db.prepare('SELECT id FROM sources WHERE name = ? COLLATE NOCASE AND id IS NOT ?').get(name, exceptId ?? null);
    if (clash) throw new ConflictError(`A source named "${name}" already exists. Choose another name.`, { field: 'name' });
  }

  /** Connection details from fields or a URL, validated; the password (from the input or the URL) separately. */
  #resolveConnection(type: SourceType, input: { connection?: unknown; url?: string | undefined; password?: string | null | undefined }) {
    let connection = input.connection;
    let password = input.password ?? null;
    if (input.url !== undefined) {
      const parseUrl = descriptors[type].parseUrl;
      if (!parseUrl) throw new ValidationError(`A ${descriptors[type].label} source is not added by URL.`, { field: 'url' });
      const parsed = parseUrl(input.url);
      connection = parsed.connection;
      password = input.password ?? parsed.password;
    }
    const parsed = parseConnection(type, connection, 'connection');
    return { connection: type === 'file' ? checkFiles(parsed as FileConnection) : parsed, password };
  }

  /** `origin` is recorded with the audit event (the built-in sample says so). */
  async create(input: CreateSourceInput, origin?: Record<string, string>): Promise<Source> {
    const name = input.name.trim();
    this.#assertNameFree(name);
    const { connection, password } = this.#resolveConnection(input.type, input);
    const settings = SourceSettings.parse(input.settings ?? {});
    const id = newId('src');
    const secretRef = password ? `source:${id}` : null;
    // Keychain first: if it is unavailable nothing is stored, and the user sees why.
    if (secretRef && password) await this.#options.secrets.set(secretRef, password);
    try {
      const now = nowIso();
      this.#db
        .prepare(
          `INSERT INTO sources (id, name, type, connection_json, settings_json, secret_ref, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(id, name, input.type, JSON.stringify(connection), JSON.stringify(settings), secretRef, now, now);
    } catch (error) {
      if (secretRef) await this.#options.secrets.delete(secretRef).catch(() => false);
      throw error;
    }
    this.#options.audit.record({ action: 'source.created', sourceId: id, details: { name, type: input.type, hasSecret: Boolean(secretRef), ...origin } });
    this.#options.onChange(id, 'created');
    // Saved exactly as tested in the form: the source starts with that test's status and risks.
    // A source with host hooks (files) is prepared by its own first test, so a draft's does not count.
    const tested = descriptors[input.type].hostHooks ? null : this.#draftTests.take({ type: input.type, connection, password, settings });
    if (tested) {
      this.recordTest(id, tested);
      this.#options.audit.record({
        action: 'source.tested',
        sourceId: id,
        details: { ok: tested.ok, latencyMs: Math.round(tested.latencyMs), canWrite: tested.canWrite, error: tested.error?.kind ?? null, via: 'form' },
      });
    }
    return this.get(id);
  }

  /** A test of details from the add-source form, for the source saved from them (see `create`). */
  rememberDraftTest(input: CreateSourceInput, result: ConnectionTestResult): void {
    if (descriptors[input.type].hostHooks) return;
    const { connection, password } = this.#resolveConnection(input.type, input);
    this.#draftTests.remember({ type: input.type, connection, password, settings: SourceSettings.parse(input.settings ?? {}) }, result);
  }

  async update(input: UpdateSourceInput): Promise<Source> {
    const row = this.#row(input.id);
    const changed: string[] = [];
    const sets: Record<string, unknown> = {};
    if (input.name !== undefined && input.name.trim() !== row.name) {
      this.#assertNameFree(input.name.trim(), row.id);
      sets.name = input.name.trim();
      changed.push('name');
    }
    let password: string | null | undefined = input.password;
    if (input.connection !== undefined || input.url !== undefined) {
      const resolved = this.#resolveConnection(row.type, { connection: input.connection, url: input.url, password: input.password });
      sets.connection_json = JSON.stringify(resolved.connection);
      if (input.password === undefined && resolved.password !== null) password = resolved.password;
      changed.push('connection');
    }
    if (input.settings !== undefined) {
      sets.settings_json = JSON.stringify(SourceSettings.parse({ ...this.#readRow(row).settings, ...input.settings }));
      changed.push('settings');
    }
    let secretRef = row.secret_ref;
    if (password !== undefined) {
      if (row.type === 'file') throw new ValidationError('File sources have no password.', { field: 'password' });
      if (password === null) {
        if (secretRef) await this.#options.secrets.delete(secretRef);
        secretRef = null;
      } else {
        secretRef = `source:${row.id}`;
        await this.#options.secrets.set(secretRef, password);
      }
      sets.secret_ref = secretRef;
      changed.push('password');
    }
    if (changed.length === 0) return this.#toSource(row);
    if (changed.includes('connection') || changed.includes('password')) {
      // New details have not been tested yet, and a confirmation was for the old login.
      Object.assign(sets, { status: 'UNTESTED', last_error: null, can_write: null, risks_json: '[]', risks_confirmed_codes: null, risks_confirmed_at: null });
      // So do the new details: what failed to reach the old host says nothing about the new one.
      this.#circuits?.forget(row.id);
    }
    sets.updated_at = nowIso();
    const columns = Object.keys(sets);
    this.#db.prepare(`UPDATE sources SET ${columns.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...Object.values(sets), row.id);
    this.#options.audit.record({ action: 'source.updated', sourceId: row.id, details: { changed } });
    this.#options.onChange(row.id, 'updated');
    return this.get(row.id);
  }

  setDisabled(id: string, disabled: boolean): Source {
    const row = this.#row(id);
    if (Boolean(row.disabled) !== disabled) {
      this.#db.prepare('UPDATE sources SET disabled = ?, updated_at = ? WHERE id = ?').run(disabled ? 1 : 0, nowIso(), id);
      this.#options.audit.record({ action: disabled ? 'source.disabled' : 'source.enabled', sourceId: id });
      this.#options.onChange(id, 'status');
    }
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    const row = this.#row(id);
    if (row.secret_ref) await this.#options.secrets.delete(row.secret_ref);
    this.#db.prepare('DELETE FROM sources WHERE id = ?').run(id);
    this.#circuits?.forget(id);
    fs.rmSync(this.workDir(id), { recursive: true, force: true });
    this.#options.audit.record({ action: 'source.removed', sourceId: id, details: { name: row.name, type: row.type } });
    this.#options.onChange(id, 'removed');
  }

  workDir(id: string): string {
    return path.join(this.#options.dataDir, 'sources', id);
  }

  /** The source, refused (SOURCE_BROKEN) when its saved record is damaged: everything that needs its connection goes through here. */
  readable(id: string): ReadableSource {
    const source = this.get(id);
    if (source.status === 'BROKEN' || source.connection === null) {
      this.#options.audit.record({ action: 'source.refused', sourceId: id, details: { reason: 'SOURCE_BROKEN' } });
      throw new ForbiddenError('SOURCE_BROKEN', `The source "${source.name}" cannot be used: ${source.lastError}`, { sourceId: id });
    }
    return source as ReadableSource;
  }

  /**
   * The execution pre-check: every path that reaches a store goes through
   * here, so a disabled source is refused whatever the renderer shows.
   */
  assertUsable(id: string): ReadableSource {
    const source = this.readable(id);
    if (source.status === 'DISABLED') {
      this.#options.audit.record({ action: 'source.refused', sourceId: id, details: { reason: 'SOURCE_DISABLED' } });
      throw new ForbiddenError('SOURCE_DISABLED', `The source "${source.name}" is disabled. Enable it on the Sources page to use it.`, { sourceId: id });
    }
    return source;
  }

  /**
   * Layer 3 at run time: a login that can do more than read needs the owner's
   * confirmation of exactly those risks before an approved query runs on it.
   */
  assertRisksConfirmed(id: string): Source {
    const source = this.get(id);
    if (source.risksConfirmed) return source;
    const codes = source.risks.map((r) => r.code);
    this.#options.audit.record({ action: 'source.refused', sourceId: id, details: { reason: 'RISKS_UNCONFIRMED', risks: codes } });
    throw new ForbiddenError(
      'RISKS_UNCONFIRMED',
      `The login of "${source.name}" can do more than read. ${source.risks.map((r) => r.message).join(' ')} ` +
        `Confirm these risks on the source's page (or with \`polystore sources confirm-risks ${id}\`) before queries run on it, or use a read-only login.`,
      { sourceId: id, risks: codes },
    );
  }

  /** The owner accepts the risks the last connection test found (audited); a new risk needs a new confirmation. */
  confirmRisks(id: string): Source {
    const row = this.#row(id);
    if (row.last_checked_at === null || row.status === 'UNTESTED') {
      throw new ValidationError('Test the connection first: the risks to confirm come from the connection test.', { field: 'id' });
    }
    const risks = this.readable(id).risks;
    const codes = riskCodes(risks);
    this.#db.prepare('UPDATE sources SET risks_confirmed_codes = ?, risks_confirmed_at = ?, updated_at = ? WHERE id = ?').run(codes, nowIso(), nowIso(), id);
    this.#options.audit.record({ action: 'source.risks_confirmed', sourceId: id, details: { risks: risks.map((r) => r.code) } });
    this.#options.onChange(id, 'updated');
    return this.get(id);
  }

  /** What a worker job needs to reach the store; the password is read from the keychain, in memory only. */
  async connectionSpec(id: string): Promise<ConnectionSpec> {
    const source = this.assertUsable(id);
    const row = this.#row(id);
    const password = row.secret_ref ? await this.#options.secrets.get(row.secret_ref) : null;
    const workDir = this.workDir(id);
    fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
    return { sourceId: id, type: source.type, connection: source.connection, password, settings: source.settings, workDir } as ConnectionSpec;
  }

  /** A spec for details that are not saved yet (the form's Test connection); nothing is stored. */
  draftSpec(input: CreateSourceInput): ConnectionSpec {
    const { connection, password } = this.#resolveConnection(input.type, input);
    const workDir = path.join(this.#options.dataDir, 'drafts');
    fs.mkdirSync(workDir, { recursive: true, mode: 0o700 });
    return { sourceId: 'draft', type: input.type, connection, password, settings: SourceSettings.parse(input.settings ?? {}), workDir } as ConnectionSpec;
  }

  recordTest(id: string, result: ConnectionTestResult): Source {
    const row = this.#row(id);
    // A failed test learns nothing about the login's powers: the last known risks stay.
    const risks = result.ok ? JSON.stringify(loginRisks(result)) : row.risks_json;
    this.#db
      .prepare('UPDATE sources SET status = ?, last_checked_at = ?, last_error = ?, can_write = ?, server_version = ?, risks_json = ? WHERE id = ?')
      .run(
        result.ok ? 'CONNECTED' : 'FAILED',
        nowIso(),
        result.ok ? null : (result.error?.message ?? 'Connection failed.'),
        result.canWrite === null ? row.can_write : result.canWrite ? 1 : 0,
        result.serverVersion ?? row.server_version,
        risks,
        id,
      );
    this.#options.onChange(id, 'status');
    return this.get(id);
  }
}
