import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineOptions } from '../../engine/engine';
import { forkLauncher } from '../../engine/pool/launcher';

/**
 * Where the engine's pool finds its worker-thread and child-process entries
 * when a Node host (the CLI, the browser host) runs from its bundle
 * (scripts/node-bundle.mjs builds dist/node/<build>/worker.mjs and child.mjs).
 * From sources, the pool's defaults (the .ts files next to it) apply.
 */
export interface PoolEntries {
  workerFile: string;
  childFile: string;
  /** The keychain process's bundle (keytar-child.mjs); the bundle's entries sit together, so next to childFile when not given. */
  keytarChildFile?: string;
}

/** The engine options that start the pool from the bundle's entries, or none when running from sources. */
export function poolOptions(entries: PoolEntries | null | undefined): Pick<EngineOptions, 'workerFile' | 'processLauncher'> {
  return entries ? { workerFile: entries.workerFile, processLauncher: forkLauncher(entries.childFile) } : {};
}

/** The entry of the keychain process (engine/secrets/child-keytar.ts): the bundle's, or from sources keytar-child.ts, run through tsx. */
export function keytarChildEntry(entries: PoolEntries | null | undefined): string {
  if (!entries) return fileURLToPath(new URL('../../engine/secrets/keytar-child.ts', import.meta.url));
  return entries.keytarChildFile ?? path.join(path.dirname(entries.childFile), 'keytar-child.mjs');
}
