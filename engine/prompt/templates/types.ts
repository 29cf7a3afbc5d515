import type { Dialect } from '../../contract/index';
import type { SafeField, SafeObject } from '../safe-metadata';

export interface RenderOptions {
  /** More than one database is in view, so names carry the database. */
  multiDatabase: boolean;
  /** Columns shown at most; the rest are summarized in one line. */
  maxColumns: number;
  /** Fields worth keeping when columns are cut (besides keys). */
  relevantFields?: ReadonlySet<string>;
}

export interface SystemOptions {
  rowLimit: number;
  /** ISO date (YYYY-MM-DD), so relative dates in questions resolve. */
  today: string;
}

/** What differs between stores when asking for a query: the rules and how a schema reads. */
export interface PromptTemplate {
  readonly dialect: Dialect;
  /** "PostgreSQL", "MySQL/MariaDB", ... */
  readonly label: string;
  /** "table" or "collection", for the schema header. */
  readonly objectNoun: string;
  system(options: SystemOptions): string;
  /** The name a query uses for this object, quoted as the dialect needs. */
  qualifiedName(object: SafeObject, multiDatabase: boolean): string;
  renderObject(object: SafeObject, options: RenderOptions): string;
}

/** Fields to show when a table has more than `max`: keys and relevant ones first, the original order kept. */
export function pickFields(object: SafeObject, options: RenderOptions): { fields: SafeField[]; hidden: number } {
  if (object.fields.length <= options.maxColumns) return { fields: object.fields, hidden: 0 };
  const keep = new Set<SafeField>();
  const add = (f: SafeField) => keep.size < options.maxColumns && keep.add(f);
  for (const f of object.fields) if (f.primaryKey || f.foreignKey) add(f);
  for (const f of object.fields) if (options.relevantFields?.has(f.name)) add(f);
  for (const f of object.fields) add(f);
  const fields = object.fields.filter((f) => keep.has(f));
  return { fields, hidden: object.fields.length - fields.length };
}

/** "~347 rows", "~1.2M rows"; empty when unknown. */
export function formatCount(n: number | null, noun: string): string {
  if (n === null || !Number.isFinite(n) || n < 0) return '';
  const value = n >= 1e9 ? `${(n / 1e9).toFixed(1)}B` : n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e4 ? `${Math.round(n / 1e3)}k` : String(Math.round(n));
  return `~${value} ${noun}`;
}
