import type { MetadataDocument, MetadataField, MetadataObject } from '../../../engine/contract/index';

/** "InvoiceLine", "invoice_line" → "invoice line". */
export function humanize(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.\s]+/g, ' ')
    .trim()
    .toLowerCase();
}

/** English plural of the last word, good enough for table names. */
export function plural(phrase: string): string {
  const words = phrase.split(' ');
  const last = words.pop() ?? '';
  let p: string;
  if (/ss$/.test(last)) p = `${last}es`;
  else if (/s$/.test(last)) p = last;
  else if (/[^aeiou]y$/.test(last)) p = `${last.slice(0, -1)}ies`;
  else if (/(x|ch|sh)$/.test(last)) p = `${last}es`;
  else p = `${last}s`;
  return [...words, p].join(' ');
}

/** Low-cardinality columns worth a breakdown, the more telling first. */
const GROUPING = ['country', 'category', 'genre', 'status', 'region', 'segment', 'department', 'rating', 'class', 'type', 'kind', 'channel', 'brand', 'continent', 'state', 'city', 'gender', 'sex', 'embarked'];
const MEASURE = /(price|amount|total|revenue|cost|salary|quantity|fare|score|weight|duration|age)$/i;

interface Table {
  object: MetadataObject;
  name: string;
  /** How many other tables point at this one: a rough "how central" measure. */
  referencedBy: number;
}

function tablesOf(doc: MetadataDocument): Table[] {
  const objects = doc.databases.flatMap((d) => d.schemas.flatMap((s) => s.objects));
  const referenced = new Map<string, number>();
  for (const o of objects) {
    const targets = new Set([...o.fields.flatMap((f) => (f.foreignKey ? [f.foreignKey.table] : [])), ...o.foreignKeys.map((k) => k.refTable)]);
    for (const t of targets) if (t !== o.name) referenced.set(t, (referenced.get(t) ?? 0) + 1);
  }
  return objects
    .filter((o) => o.fields.length > 0 && !isLinkTable(o))
    .map((o) => ({ object: o, name: humanize(o.name), referencedBy: referenced.get(o.name) ?? 0 }));
}

/** A table of nothing but keys (playlist_track) is a link, not something people ask about. */
function isLinkTable(o: MetadataObject): boolean {
  return o.fields.every((f) => f.primaryKey || f.foreignKey) && o.fields.some((f) => f.foreignKey);
}

const isNumber = (f: MetadataField) => f.type === 'integer' || f.type === 'decimal' || f.type === 'float';

/**
 * A few questions the offline planner answers for this schema (counts,
 * rankings, breakdowns and averages), for a conversation that has not started.
 * Cheap: only names, keys and types are read, never data.
 */
export function exampleQuestions(doc: MetadataDocument, max = 4): string[] {
  const tables = tablesOf(doc).sort((a, b) => b.referencedBy - a.referencedBy || (b.object.rowEstimate ?? 0) - (a.object.rowEstimate ?? 0) || a.name.localeCompare(b.name));
  const out: string[] = [];
  const add = (q: string | null) => {
    if (q && !out.includes(q)) out.push(q);
  };

  const central = tables[0];
  if (central) add(`How many ${plural(central.name)} are there?`);

  // A ranking along a foreign key: "Top 10 artists by number of albums".
  for (const child of tables) {
    const fk = child.object.fields.find((f) => f.foreignKey && tables.some((t) => t.object.name === f.foreignKey!.table && t !== child));
    if (!fk?.foreignKey) continue;
    add(`Top 10 ${plural(humanize(fk.foreignKey.table))} by number of ${plural(child.name)}`);
    break;
  }

  // A breakdown by a low-cardinality column: "How many customers per country?".
  const breakdown = GROUPING.flatMap((word) =>
    tables.flatMap((t) => {
      const dim = t.object.fields.find((f) => humanize(f.name).split(' ').pop() === word && (f.type === 'string' || f.type === 'unknown'));
      return dim ? [`How many ${plural(t.name)} per ${humanize(dim.name)}?`] : [];
    }),
  )[0];
  add(breakdown ?? null);

  // An average of a measure: "What is the average unit price of tracks?".
  for (const t of tables) {
    const measure = t.object.fields.find((f) => isNumber(f) && !f.primaryKey && !f.foreignKey && MEASURE.test(f.name));
    if (!measure) continue;
    add(`What is the average ${humanize(measure.name)} of ${plural(t.name)}?`);
    break;
  }

  for (const t of tables.slice(1)) {
    if (out.length >= max) break;
    add(`How many ${plural(t.name)} are there?`);
  }
  return out.slice(0, max);
}
