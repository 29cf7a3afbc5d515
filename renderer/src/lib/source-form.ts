import type { CreateSourceInput, MongoConnection, Source, SourceType, SourceTypeInfo, SqlConnection, TlsMode, UpdateSourceInput } from '../../../engine/contract/index';

/** What the add/edit form edits: flat strings, as inputs hold them. */
export interface SourceForm {
  type: SourceType;
  name: string;
  mode: 'fields' | 'url';
  url: string;
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  /** Editing: keep, replace (with `password`) or remove the stored password. */
  passwordAction: 'keep' | 'replace' | 'remove';
  tls: TlsMode;
  caFile: string;
  authSource: string;
  paths: string;
  statementTimeoutMs: string;
  rowLimit: string;
  allowSampleValues: boolean;
}

/** A new form for a kind of source, its defaults (port, TLS, limits) as the engine gives them in `sources.types`. */
export function emptyForm(info: SourceTypeInfo): SourceForm {
  const type = info.type;
  return {
    type,
    name: '',
    mode: 'fields',
    url: '',
    host: info.defaultPort === null ? '' : 'localhost',
    port: info.defaultPort === null ? '' : String(info.defaultPort),
    database: '',
    user: '',
    password: '',
    passwordAction: 'replace',
    tls: info.defaultTls ?? 'off',
    caFile: '',
    authSource: '',
    paths: '',
    statementTimeoutMs: String(info.defaults.statementTimeoutMs),
    rowLimit: String(info.defaults.rowLimit),
    allowSampleValues: false,
  };
}

export function sourceToForm(source: Source, info: SourceTypeInfo): SourceForm {
  const form = { ...emptyForm(info), name: source.name, passwordAction: 'keep' as const };
  form.statementTimeoutMs = String(source.settings.statementTimeoutMs);
  form.rowLimit = String(source.settings.rowLimit);
  form.allowSampleValues = source.settings.allowSampleValues;
  // A damaged source (BROKEN) has no readable connection: the form starts empty, and saving it repairs the source.
  const c = (source.connection ?? {}) as Partial<SqlConnection & MongoConnection & { paths: string[] }>;
  if (source.type === 'file') form.paths = (c.paths ?? []).join('\n');
  else if (source.type === 'mongodb') {
    form.host = c.hosts?.[0]?.host ?? '';
    form.port = String(c.hosts?.[0]?.port ?? info.defaultPort ?? '');
    form.user = c.user ?? '';
    form.authSource = c.authSource ?? '';
    if ((c.hosts?.length ?? 0) > 1 || c.srv) form.mode = 'url';
  } else {
    form.host = c.host ?? '';
    form.port = String(c.port ?? '');
    form.user = c.user ?? '';
  }
  form.database = c.database ?? '';
  form.tls = c.tls?.mode ?? form.tls;
  form.caFile = c.tls?.caFile ?? '';
  return form;
}

/** Numbers typed as text; an unparsable value is passed through so the engine reports it against the field. */
const num = (text: string): number => (text.trim() === '' ? Number.NaN : Number(text));

function connectionOf(form: SourceForm): unknown {
  const tls = { mode: form.tls, ...(form.tls === 'verify' && form.caFile.trim() ? { caFile: form.caFile.trim() } : {}) };
  switch (form.type) {
    case 'file':
      return { paths: form.paths.split('\n').map((p) => p.trim()).filter(Boolean) };
    case 'mongodb':
      return {
        hosts: [{ host: form.host.trim(), port: num(form.port) }],
        database: form.database.trim(),
        ...(form.user.trim() ? { user: form.user.trim() } : {}),
        ...(form.authSource.trim() ? { authSource: form.authSource.trim() } : {}),
        tls,
      };
    default:
      return { host: form.host.trim(), port: num(form.port), database: form.database.trim(), user: form.user.trim(), tls };
  }
}

function settingsOf(form: SourceForm) {
  return { statementTimeoutMs: num(form.statementTimeoutMs), rowLimit: num(form.rowLimit), allowSampleValues: form.allowSampleValues };
}

export function formToCreateInput(form: SourceForm): CreateSourceInput {
  const password = form.type !== 'file' && form.password ? { password: form.password } : {};
  if (form.type !== 'file' && form.mode === 'url') {
    return { name: form.name, type: form.type, url: form.url.trim(), ...password, settings: settingsOf(form) } as CreateSourceInput;
  }
  return { name: form.name, type: form.type, connection: connectionOf(form), ...password, settings: settingsOf(form) } as CreateSourceInput;
}

export function formToUpdateInput(form: SourceForm, id: string): UpdateSourceInput {
  const password =
    form.type === 'file' || form.passwordAction === 'keep'
      ? {}
      : form.passwordAction === 'remove'
        ? { password: null }
        : form.password
          ? { password: form.password }
          : {};
  const where = form.type !== 'file' && form.mode === 'url' && form.url.trim() ? { url: form.url.trim() } : { connection: connectionOf(form) };
  return { id, name: form.name, ...where, ...password, settings: settingsOf(form) } as UpdateSourceInput;
}

/** One line describing where a source points, for lists. */
export function describeConnection(source: Source): string {
  if (!source.connection) return 'connection details unreadable';
  const c = source.connection as Partial<SqlConnection & MongoConnection & { paths: string[] }>;
  if (source.type === 'file') return `${c.paths?.length ?? 0} file${c.paths?.length === 1 ? '' : 's'}`;
  if (source.type === 'mongodb') return `${(c.hosts ?? []).map((h) => `${h.host}:${h.port}`).join(', ')} / ${c.database}`;
  return `${c.user}@${c.host}:${c.port} / ${c.database}`;
}
