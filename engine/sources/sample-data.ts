import fs from 'node:fs';
import path from 'node:path';
import { UnavailableError } from '../errors';

/**
 * The sample shipped with the app: the Chinook music store as one Parquet file per table
 * (build-resources/sample/chinook, made by scripts/make-sample.mjs).
 */
export const SAMPLE = {
  name: 'Chinook music store (sample)',
  /** Where it lives under the packaged app's resources, and under build-resources in a checkout. */
  folder: ['sample', 'chinook'],
  tables: ['album', 'artist', 'customer', 'employee', 'genre', 'invoice', 'invoice_line', 'media_type', 'playlist', 'playlist_track', 'track'],
} as const;

/**
 * Questions the offline planner answers correctly on the sample, shown on the Ask page's welcome.
 * test/integration/engine/sources/sample-questions.test.ts runs each one through the planner,
 * approves and runs it, and checks the answer against DuckDB run directly on the files.
 */
export const SAMPLE_QUESTIONS: readonly string[] = [
  'How many tracks are there?',
  'Top 5 artists by number of tracks',
  'How many customers per country?',
  'Total sales per year',
  'Total revenue per genre',
  'What is the average unit price of tracks?',
];

export const sampleFiles = (dir: string): string[] => SAMPLE.tables.map((table) => path.join(dir, `${table}.parquet`));

export interface SampleLocations {
  /** An explicit folder (EngineOptions.sampleDir): the only place looked at when given. */
  explicit?: string | null | undefined;
  /** POLYSTORE_SAMPLE_DIR, when set. */
  env?: NodeJS.ProcessEnv;
  /** Electron's process.resourcesPath: extraResources of a packaged app land there. */
  resourcesPath?: string | undefined;
  /** Where the engine's code is (a checkout: engine/sources, or dist/electron when bundled). */
  moduleDir: string;
}

/** How many folders up from the code a checkout's build-resources may be (dist/electron is two). */
const MAX_LEVELS_UP = 4;

/** Folders that may hold the sample, most specific first. */
export function sampleDirCandidates(where: SampleLocations): string[] {
  if (where.explicit) return [path.resolve(where.explicit)];
  const candidates: string[] = [];
  const fromEnv = (where.env ?? process.env).POLYSTORE_SAMPLE_DIR;
  if (fromEnv) candidates.push(path.resolve(fromEnv));
  if (where.resourcesPath) candidates.push(path.join(where.resourcesPath, ...SAMPLE.folder));
  let dir = path.resolve(where.moduleDir);
  for (let level = 0; level <= MAX_LEVELS_UP; level++) {
    candidates.push(path.join(dir, 'build-resources', ...SAMPLE.folder));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return [...new Set(candidates)];
}

const isComplete = (dir: string) => sampleFiles(dir).every((file) => fs.statSync(file, { throwIfNoEntry: false })?.isFile() === true);

/** The folder with all of the sample's files, in dev (a checkout) and packaged alike. */
export function resolveSampleDir(where: SampleLocations): string {
  const candidates = sampleDirCandidates(where);
  const found = candidates.find(isComplete);
  if (found) return found;
  throw new UnavailableError('The sample data is not installed with this copy of PolyStoreIQ, so it cannot be added.', { looked: candidates });
}

/**
 * Is this file source the sample? Its files are the sample's tables in a `sample/chinook` folder:
 * the folder may differ from today's when the app moved (an update, a new checkout).
 */
export function isSamplePaths(paths: readonly string[]): boolean {
  if (paths.length !== SAMPLE.tables.length) return false;
  return paths.every((file, i) => {
    const dir = path.dirname(file);
    return path.basename(file) === `${SAMPLE.tables[i]}.parquet` && path.basename(dir) === SAMPLE.folder[1] && path.basename(path.dirname(dir)) === SAMPLE.folder[0];
  });
}
