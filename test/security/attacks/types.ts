/**
 * The shape of the adversarial corpora: data, not tests. Each store's file
 * lists attempts a prompt-injected model (or a hostile user) could send as a
 * "read-only" query; test/security/read-only/* runs every one through the
 * connector's validate (the `check` layer) and then forces it through execute
 * with the server fingerprinted before and after.
 *
 * Queries are templates: `{{name}}` is replaced by the harness with the name
 * of an object it planted (a database, a file, a session), so an attack that
 * works is seen working on the canary and nowhere else on the machine.
 */

export const ATTACK_CLASSES = [
  /** A function that runs its text argument as SQL (ts_rewrite, query_to_xml, dblink, crosstab …). */
  'sql-in-text',
  /** A function or statement that changes something outside the query's own result. */
  'side-effect',
  /** Something that outlives the query in the session it ran on (settings, seeds, locks, variables). */
  'session-state',
  /** A catalog object that holds secrets: password hashes, other sessions' SQL, server files' contents. */
  'catalog-secret',
  /** A read of another database than the source's own. */
  'cross-database',
  /** A query whose preview (validation or EXPLAIN) or execution costs far more than it should. */
  'resource-bomb',
  /** The same attack spelled so that a checker and the server may read it differently. */
  'encoding',
  /** MongoDB: a query document whose bytes on the wire differ from the text that was approved. */
  'wire-level',
  /** Reading or writing server or host files, loading code. */
  'file-access',
  /** A write dressed as a read: writable CTEs, SELECT INTO, locking clauses, several statements. */
  'write-disguise',
] as const;
export type AttackClass = (typeof ATTACK_CLASSES)[number];

export interface Attack {
  /** Stable, unique across all stores: `<store>/<class>/<slug>`. */
  id: string;
  class: AttackClass;
  /** The query text, with `{{placeholders}}` the harness fills in. */
  query: string;
  /** What it would do if it ran (for the failure message and for reviewers). */
  does: string;
  /**
   * `refuse` (default): check must refuse it.
   * `contain`: a read that may be legitimate (an expensive one) or that the server itself defuses (PostgreSQL never
   * loads XML external entities); check may accept it, but then the preview must stay within its budget, execution
   * must end by its timeout, and nothing may change or leak.
   */
  expect?: 'refuse' | 'contain';
  /**
   * Why this entry is not forced through execution (it would harm the shared machine or the test process
   * itself beyond what a fingerprint can observe and repair). Check still runs on it.
   */
  noForce?: string;
}

export interface AnalyticalQuery {
  id: string;
  /** What kind of real read this is (window functions, CTE, JSON …). */
  topic: string;
  query: string;
  expect: 'accept';
}

type Row = [slug: string, does: string, query: string, options?: Pick<Attack, 'expect' | 'noForce'>];

/** Builds one class's entries from compact rows; ids are `<store>/<class>/<slug>`. */
export function attacks(store: string, cls: AttackClass, rows: Row[]): Attack[] {
  return rows.map(([slug, does, query, options]) => ({ id: `${store}/${cls}/${slug}`, class: cls, query, does, ...options }));
}

/** Builds analytical entries from [slug, topic, query] rows. */
export function analytical(store: string, rows: [slug: string, topic: string, query: string][]): AnalyticalQuery[] {
  return rows.map(([slug, topic, query]) => ({ id: `${store}/read/${slug}`, topic, query, expect: 'accept' }));
}

/** Replaces every `{{name}}`; an unknown name is a mistake in the corpus and throws. */
export function fill(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`corpus placeholder {{${name}}} has no value`);
    return value;
  });
}
