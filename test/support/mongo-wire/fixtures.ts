/**
 * Loads the MongoDB sample data in ../shared/testdata/mongo into a test
 * server: mongoexport Extended JSON (one document per line) and mongodump
 * BSON (documents back to back). Databases are named after their folders;
 * the top-level files go to `samples`.
 */
import fs from 'node:fs';
import path from 'node:path';
import { deserialize, EJSON, serialize, type Document } from 'bson';
import { testdataDir } from '../tmp';
import type { MongoWireServer } from './server';

export const mongoTestdataDir = path.join(testdataDir, 'mongo');

/**
 * Legacy mongoexport wrote non-finite doubles as bare `NaN` / `Infinity`
 * tokens, which are not JSON (air_airlines.json has five); rewrites them,
 * outside strings, as Extended JSON doubles.
 */
export function quoteNonFiniteNumbers(line: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += line[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    const token = /^(-?Infinity|NaN)/.exec(line.slice(i, i + 9))?.[1];
    if (!inString && token) {
      out += `{"$numberDouble":"${token}"}`;
      i += token.length - 1;
      continue;
    }
    out += c;
  }
  return out;
}

/** Parses canonical Extended JSON without losing int64 precision, then takes the form documents have after a trip over the wire. */
function parseExtendedJsonLines(text: string): Document[] {
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => {
      let parsed: Document;
      try {
        parsed = EJSON.parse(line, { relaxed: false }) as Document;
      } catch {
        parsed = EJSON.parse(quoteNonFiniteNumbers(line), { relaxed: false }) as Document;
      }
      return deserialize(serialize(parsed));
    });
}

function parseBsonDump(buffer: Buffer): Document[] {
  const docs: Document[] = [];
  for (let offset = 0; offset < buffer.length; ) {
    const size = buffer.readInt32LE(offset);
    docs.push(deserialize(buffer.subarray(offset, offset + size)));
    offset += size;
  }
  return docs;
}

/** Documents of one sample file (`.json` or `.bson`). */
export function readSampleFile(file: string): Document[] {
  return file.endsWith('.bson') ? parseBsonDump(fs.readFileSync(file)) : parseExtendedJsonLines(fs.readFileSync(file, 'utf8'));
}

export interface LoadedCollection {
  db: string;
  collection: string;
  count: number;
}

/** Loads every sample collection; returns what was loaded, with document counts. */
export function loadSampleData(server: MongoWireServer, dir = mongoTestdataDir): LoadedCollection[] {
  const loaded: LoadedCollection[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const files = entry.isDirectory()
      ? fs.readdirSync(path.join(dir, entry.name)).map((f) => ({ db: entry.name, file: path.join(dir, entry.name, f) }))
      : [{ db: 'samples', file: path.join(dir, entry.name) }];
    for (const { db, file } of files) {
      const base = path.basename(file);
      if (base.endsWith('.metadata.json') || !/\.(json|bson)$/.test(base)) continue;
      const collection = base.replace(/\.(json|bson)$/, '');
      const docs = readSampleFile(file);
      server.load(db, collection, docs);
      loaded.push({ db, collection, count: docs.length });
    }
  }
  return loaded;
}
