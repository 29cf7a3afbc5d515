/**
 * Pieces every store's fingerprint shares: a snapshot is a map of named
 * facets (rows of a table, locks held, files in a folder …) to a canonical
 * text, so two snapshots differ exactly where something changed and the diff
 * says what; secrets are random lower-case words planted where a read beyond
 * the source would find them.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export type Snapshot = Record<string, string>;

/**
 * What changed, one entry per facet: for line-oriented facets the lines that
 * disappeared (-) and appeared (+), otherwise a short before → after.
 */
export function diffSnapshots(before: Snapshot, after: Snapshot): string[] {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return names.filter((name) => before[name] !== after[name]).map((name) => `${name}: ${describeChange(before[name], after[name])}`);
}

function describeChange(before: string | undefined, after: string | undefined): string {
  if (before === undefined || after === undefined) return `${short(before)} → ${short(after)}`;
  const a = before.split('\n');
  const b = after.split('\n');
  if (a.length === 1 && b.length === 1) return `${short(before)} → ${short(after)}`;
  const removed = a.filter((line) => !b.includes(line)).map((line) => `-${short(line)}`);
  const added = b.filter((line) => !a.includes(line)).map((line) => `+${short(line)}`);
  const lines = [...removed, ...added];
  return lines.length > 4 ? `${lines.slice(0, 4).join(' ')} (+${lines.length - 4} more)` : lines.join(' ') || '(reordered)';
}

function short(text: string | undefined): string {
  if (text === undefined) return '(none)';
  const flat = text.replace(/\s+/g, ' ');
  return flat.length <= 100 ? flat : `${flat.slice(0, 97)}...`;
}

export const sha = (text: string | Buffer) => createHash('sha256').update(text).digest('hex').slice(0, 16);

/**
 * A secret word: lower-case letters and digits only, so it survives being
 * split into words (tsvector), upper-cased in one form and searched in all.
 */
export function secretWord(kind: string): string {
  return `canary${kind}${randomBytes(8).toString('hex')}`;
}

/** The forms a secret may take in a result: as is, upper case, hex, base64 (of the secret alone). */
function forms(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  return [secret.toLowerCase(), bytes.toString('hex'), bytes.toString('base64').replace(/=+$/, '')];
}

/** Which secrets appear anywhere in `output` (results, notices, error messages …), by name. */
export function findSecrets(output: string, secrets: Readonly<Record<string, string>>): string[] {
  const haystack = output.toLowerCase();
  return Object.entries(secrets)
    .filter(([, secret]) => secret.length >= 8 && forms(secret).some((form) => haystack.includes(form.toLowerCase())))
    .map(([name]) => name);
}

/**
 * A folder the database servers can write and read (the canary for files
 * written), holding a file with a secret, next to a file whose name is a
 * secret (so a directory listing is a read beyond the source too).
 */
export interface CanaryDir {
  path: string;
  secretFile: string;
  secretContent: string;
  /** A file name that only a directory listing reveals. */
  listingSecret: string;
  /** Restores the folder to its initial content. */
  reset(): void;
  /** Every file and folder below, with sizes and content hashes. */
  listing(): string;
  remove(): void;
}

export interface CanaryDirOptions {
  /** Where the folder is made (default: the system temporary folder). */
  parent?: string;
  /** Called after every reset with the folder and its private sub-folder, to add store-specific files. */
  populate?: (dir: string, privateDir: string) => void;
}

export function canaryDir(store: string, options: CanaryDirOptions = {}): CanaryDir {
  const dir = fs.mkdtempSync(path.join(options.parent ?? os.tmpdir(), `polystore-canary-${store}-`));
  const listingSecret = secretWord('name');
  const secretContent = secretWord('file');
  const privateDir = path.join(dir, 'private');
  const secretFile = path.join(privateDir, 'secret.txt');
  const reset = () => {
    for (const entry of fs.readdirSync(dir)) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
    fs.mkdirSync(privateDir);
    fs.writeFileSync(secretFile, `${secretContent}\n`, { mode: 0o644 });
    fs.writeFileSync(path.join(dir, `${listingSecret}.txt`), 'listed\n', { mode: 0o644 });
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'keep\n');
    fs.chmodSync(path.join(dir, 'keep.txt'), 0o666);
    // Database servers run as their own users: they must be able to write here (to show that they did).
    // Not sticky: a server deleting or renaming a file it did not create is one of the things to see.
    fs.chmodSync(dir, 0o777);
    fs.chmodSync(privateDir, 0o755);
    options.populate?.(dir, privateDir);
  };
  reset();
  return {
    path: dir,
    secretFile,
    secretContent,
    listingSecret,
    reset,
    listing: () => listFiles(dir),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A canonical listing of a folder tree: relative path, type, size and content hash. */
export function listFiles(dir: string): string {
  if (!fs.existsSync(dir)) return '(missing)';
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .map((entry) => {
      const full = path.join(entry.parentPath, entry.name);
      const rel = path.relative(dir, full);
      if (entry.isDirectory()) return `${rel}/`;
      if (entry.isSymbolicLink()) return `${rel} -> ${fs.readlinkSync(full)}`;
      try {
        return `${rel} ${fs.statSync(full).size} ${sha(fs.readFileSync(full))}`;
      } catch {
        return `${rel} (unreadable)`;
      }
    })
    .sort()
    .join('\n');
}

/** Escapes for writing a string inside an SQL literal of either store. */
export const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;
