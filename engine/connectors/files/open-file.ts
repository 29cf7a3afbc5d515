import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../../errors';
import { HEAD_BYTES } from './detect';

/**
 * Non-blocking, so opening a FIFO returns at once instead of waiting for a
 * writer that never comes (the issue's FIFO hung every query). Windows has no
 * such flag and no FIFOs at a path.
 */
const OPEN_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/** A regular file opened for reading: everything reads through `fd`, so what was checked is what is read. */
export interface OpenedFile {
  fd: number;
  stat: fs.Stats;
  close(): void;
}

function openError(filePath: string, error: unknown): ValidationError {
  const name = path.basename(filePath);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new ValidationError(`${name} was not found at ${filePath}; it may have been moved or deleted.`, { field: 'paths', kind: 'NOT_FOUND' });
  if (code === 'EACCES' || code === 'EPERM') return new ValidationError(`${name} cannot be read: permission denied.`, { field: 'paths', kind: 'UNREADABLE' });
  // A socket cannot be opened like a file.
  if (code === 'ENXIO' || code === 'EOPNOTSUPP') return notAFile(filePath);
  return new ValidationError(`${name} cannot be read (${code ?? 'unknown error'}).`, { field: 'paths', kind: 'UNREADABLE' });
}

function notAFile(filePath: string, stat?: fs.Stats): ValidationError {
  if (stat?.isDirectory()) return new ValidationError(`${filePath} is a folder; choose the files inside it.`, { field: 'paths', kind: 'NOT_A_FILE' });
  const what = stat?.isFIFO() ? 'a named pipe (FIFO)' : stat?.isSocket() ? 'a socket' : stat?.isCharacterDevice() || stat?.isBlockDevice() ? 'a device' : 'not a regular file';
  return new ValidationError(`${path.basename(filePath)} is ${what === 'not a regular file' ? what : `${what}, not a regular file`}; only regular files are imported.`, {
    field: 'paths',
    kind: 'NOT_A_FILE',
  });
}

/**
 * Opens a path and refuses anything that is not a regular file, judged by
 * fstat on the open descriptor (a stat of the path could be answered by one
 * file and the open by another swapped in between).
 */
export function openRegularFile(filePath: string): OpenedFile {
  let fd: number;
  try {
    fd = fs.openSync(filePath, OPEN_FLAGS);
  } catch (error) {
    throw openError(filePath, error);
  }
  let stat: fs.Stats;
  try {
    stat = fs.fstatSync(fd);
  } catch (error) {
    fs.closeSync(fd);
    throw openError(filePath, error);
  }
  if (!stat.isFile()) {
    fs.closeSync(fd);
    throw notAFile(filePath, stat);
  }
  let closed = false;
  return {
    fd,
    stat,
    close: () => {
      if (closed) return;
      closed = true;
      fs.closeSync(fd);
    },
  };
}

/** Up to `bytes` from the start of an open file. */
export function readHeadFd(fd: number, bytes = HEAD_BYTES): Buffer {
  const buffer = Buffer.alloc(bytes);
  const read = fs.readSync(fd, buffer, 0, bytes, 0);
  return buffer.subarray(0, read);
}

/**
 * What a file is now, cheaply: its kind, size, modification time, inode and
 * the hash of its first 64 KB. Two equal fingerprints mean the file very
 * likely did not change; a failed import is remembered against one and tried
 * again only when it differs. Never blocks on a FIFO or device, never throws.
 */
export function fileFingerprint(filePath: string): string {
  let opened: OpenedFile;
  try {
    opened = openRegularFile(filePath);
  } catch (error) {
    if (!(error instanceof ValidationError)) return 'unreadable';
    const kind = String(error.details?.kind ?? 'UNREADABLE');
    if (kind !== 'NOT_A_FILE') return kind.toLowerCase();
    try {
      const stat = fs.statSync(filePath);
      return `special:${stat.mode}:${stat.ino}`;
    } catch {
      return 'not_a_file';
    }
  }
  try {
    const head = createHash('sha256').update(readHeadFd(opened.fd)).digest('hex');
    return `file:${opened.stat.size}:${opened.stat.mtimeMs}:${opened.stat.ino}:${head}`;
  } catch {
    return 'unreadable';
  } finally {
    opened.close();
  }
}
