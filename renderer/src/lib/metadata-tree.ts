import type { MetadataDocument, MetadataField, MetadataObject } from '../../../engine/contract/index';

export interface TableNode {
  key: string;
  schema: string | null;
  database: string;
  object: MetadataObject;
  /** Fields to show: all when the table itself matched, otherwise only the matching ones. */
  fields: MetadataField[];
  matched: 'all' | 'table' | 'fields';
}

/** "InvoiceLine" and "invoice_line" both match "invoice line". */
function normalize(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/[_\-.]+/g, ' ')
    .toLowerCase();
}

function matches(text: string, terms: string[]): boolean {
  const n = normalize(text);
  const compact = n.replaceAll(' ', '');
  return terms.every((t) => n.includes(t) || compact.includes(t.replaceAll(' ', '')));
}

/**
 * Flattens the metadata document into tables with the fields to show for a
 * search. A table matches by its name or comment; otherwise it is kept with
 * just the fields whose name, type or comment matches.
 */
export function filterMetadata(doc: MetadataDocument, search: string): TableNode[] {
  const terms = normalize(search.trim()).split(' ').filter(Boolean);
  const out: TableNode[] = [];
  for (const database of doc.databases) {
    for (const schema of database.schemas) {
      for (const object of schema.objects) {
        const key = [database.name, schema.name ?? '', object.name].join('/');
        if (terms.length === 0) {
          out.push({ key, schema: schema.name, database: database.name, object, fields: object.fields, matched: 'all' });
          continue;
        }
        if (matches(`${object.name} ${object.comment ?? ''}`, terms)) {
          out.push({ key, schema: schema.name, database: database.name, object, fields: object.fields, matched: 'table' });
          continue;
        }
        const fields = object.fields.filter((f) => matches(`${f.name} ${f.nativeType} ${f.comment ?? ''}`, terms));
        if (fields.length) out.push({ key, schema: schema.name, database: database.name, object, fields, matched: 'fields' });
      }
    }
  }
  return out;
}

export function countObjects(doc: MetadataDocument): { tables: number; fields: number } {
  let tables = 0;
  let fields = 0;
  for (const d of doc.databases) {
    for (const s of d.schemas) {
      tables += s.objects.length;
      for (const o of s.objects) fields += o.fields.length;
    }
  }
  return { tables, fields };
}
