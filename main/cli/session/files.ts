// Where a CLI unlock session lives and how its record is read and written.
// Loaded on every CLI start (to look for a session), so it uses only node:fs,
// node:path and node:os: no engine, no zod, no node:crypto.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Inside the profile folder: one private folder per session, named for the profile it unlocks. */
export const SESSIONS_DIR = 'cli-sessions';
export const RECORD_FILE = 'session.json';
const SOCKET_NAME = 's.sock';
const TMP_PREFIX = 'polystore-';
/**
 * sun_path holds 104 bytes on macOS and 108 on Linux, with the final NUL. A socket path longer
 * than this goes in a short private folder under the OS temp folder instead.
 */
export const MAX_SOCKET_PATH_BYTES = 100;
const PRIVATE_DIR = 0o700;
const PRIVATE_FILE = 0o600;

/** What a running session writes for its clients (mode 0600). The token is random and proves only that the reader is this user. */
export interface SessionRecord {
  version: 1;
  pid: number;
  /** The profile name asked for (`--profile`, POLYSTORE_PROFILE), or null for the default (the owner). */
  requested: string | null;
  socketPath: string;
  /** 32 random bytes, hex. */
  token: string;
  startedAt: string;
  idleTimeoutMs: number;
}

/** FNV-1a: a short, stable folder name for a profile name (the record names the profile too, and is checked). */
function shortHash(text: string): string {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash.toString(16).padStart(8, '0');
}

/** The session folder for a profile name (null: the default profile). */
export function sessionDir(dataDir: string, requested: string | null): string {
  return path.join(dataDir, SESSIONS_DIR, requested === null ? 'default' : `p-${shortHash(requested)}`);
}

export function recordFile(dataDir: string, requested: string | null): string {
  return path.join(sessionDir(dataDir, requested), RECORD_FILE);
}

/** Creates a folder only this user can open (and tightens it if it existed). */
export function makePrivateDir(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR });
  fs.chmodSync(dir, PRIVATE_DIR);
}

/**
 * Where the socket goes: next to the record when the path is short enough, else in a new
 * private folder under the OS temp folder with a random name (the record says which).
 */
export function chooseSocketPath(dir: string, randomName: string, tmpDir = os.tmpdir()): string {
  const beside = path.join(dir, SOCKET_NAME);
  if (Buffer.byteLength(beside) <= MAX_SOCKET_PATH_BYTES) return beside;
  return path.join(tmpDir, `${TMP_PREFIX}${randomName}`, SOCKET_NAME);
}

/** Writes the record so a reader sees the old file or the new one, created 0600 from the start. */
export function writeRecord(file: string, record: SessionRecord): void {
  const temporary = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(record) + '\n', { mode: PRIVATE_FILE, flag: 'w' });
  fs.chmodSync(temporary, PRIVATE_FILE);
  fs.renameSync(temporary, file);
}

export type RecordRead = { kind: 'none' } | { kind: 'record'; record: SessionRecord } | { kind: 'unsafe'; why: string };

const isRecord = (value: unknown): value is SessionRecord => {
  const r = value as Partial<SessionRecord> | null;
  return (
    typeof r === 'object' &&
    r !== null &&
    r.version === 1 &&
    Number.isInteger(r.pid) &&
    (r.requested === null || typeof r.requested === 'string') &&
    typeof r.socketPath === 'string' &&
    typeof r.token === 'string' &&
    /^[0-9a-f]{64}$/.test(r.token) &&
    Number.isInteger(r.idleTimeoutMs)
  );
};

/**
 * The session record for a profile name, if one exists and is safe to trust: a file
 * of this user's, readable by nobody else, naming the same profile.
 */
export function readRecord(dataDir: string, requested: string | null): RecordRead {
  const file = recordFile(dataDir, requested);
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return { kind: 'none' };
  }
  try {
    const stat = fs.fstatSync(fd);
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) return { kind: 'unsafe', why: 'its record belongs to another user' };
    if ((stat.mode & 0o077) !== 0) return { kind: 'unsafe', why: 'its record is readable by other users' };
    const parsed: unknown = JSON.parse(fs.readFileSync(fd, 'utf8'));
    if (!isRecord(parsed) || parsed.requested !== requested) return { kind: 'unsafe', why: 'its record is not one this version wrote' };
    return { kind: 'record', record: parsed };
  } catch {
    return { kind: 'unsafe', why: 'its record could not be read' };
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether a process with this id runs (a session killed without cleaning up leaves its record behind). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes what a session left: its record, its socket and, for a socket under the temp folder, that folder. */
export function removeSessionFiles(dataDir: string, requested: string | null, socketPath?: string): void {
  const dir = sessionDir(dataDir, requested);
  fs.rmSync(path.join(dir, RECORD_FILE), { force: true });
  if (socketPath) {
    fs.rmSync(socketPath, { force: true });
    const parent = path.dirname(socketPath);
    if (parent !== dir && path.basename(parent).startsWith(TMP_PREFIX)) fs.rmSync(parent, { recursive: true, force: true });
  }
}
