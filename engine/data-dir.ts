import fs from 'node:fs';
import path from 'node:path';
import { DataDirError } from './errors';

// Apart from paths.ts, which the CLI loads for --version: this one needs the error classes (and zod).
function errorCode(error: unknown): string {
  return (error as { code?: unknown })?.code === undefined ? 'UNKNOWN' : String((error as { code: unknown }).code);
}

const CHOOSE_ANOTHER = 'Choose another profile folder (--data-dir or POLYSTORE_HOME).';

function cannotCreate(target: string, where: string, error: unknown): DataDirError {
  const code = errorCode(error);
  const why =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EROFS'
        ? 'the file system is read-only'
        : code === 'ENOSPC'
          ? 'the disk is full'
          : // mkdir under /proc, /sys and similar answers ENOENT although the parent exists.
            `that place does not allow new folders (${code})`;
  return new DataDirError(`The profile folder ${target} cannot be created in ${where}: ${why}. ${CHOOSE_ANOTHER}`, { dataDir: target, reason: 'CANNOT_CREATE', errno: code });
}

/**
 * Makes sure the profile folder exists and can be written, creating the
 * missing folders one at a time (owner-only), and says precisely what is
 * wrong otherwise: a file where a folder should be, a place where folders
 * cannot be made, no permission. Node's recursive mkdir loops for ever under
 * /proc (each mkdir answers ENOENT, so it retries the parent) and reports a
 * file in the way as a bare EEXIST or ENOTDIR; this walks the path once.
 */
export function prepareDataDir(dir: string): string {
  const target = path.resolve(dir);
  const missing: string[] = [];
  // Up to the nearest folder that exists: at most one step per path component, so it ends.
  for (let current = target; ; current = path.dirname(current)) {
    let stat: fs.Stats | null = null;
    try {
      stat = fs.statSync(current);
    } catch (error) {
      const code = errorCode(error);
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        throw new DataDirError(`The profile folder ${target} cannot be used: ${current} cannot be read (${code}). ${CHOOSE_ANOTHER}`, { dataDir: target, reason: 'UNREADABLE', errno: code });
      }
    }
    if (stat) {
      if (!stat.isDirectory()) {
        const message = current === target ? `The profile folder ${target} is a file, not a folder.` : `The profile folder ${target} cannot be created: ${current} is a file, not a folder.`;
        throw new DataDirError(`${message} ${CHOOSE_ANOTHER}`, { dataDir: target, reason: 'NOT_A_FOLDER', path: current });
      }
      break;
    }
    if (path.dirname(current) === current) break;
    missing.unshift(current);
  }
  for (const folder of missing) {
    try {
      fs.mkdirSync(folder, { mode: 0o700 });
    } catch (error) {
      // Another process made it meanwhile: fine, as long as it is a folder.
      if (errorCode(error) === 'EEXIST' && fs.statSync(folder, { throwIfNoEntry: false })?.isDirectory()) continue;
      throw cannotCreate(target, path.dirname(folder), error);
    }
  }
  try {
    fs.accessSync(target, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK);
  } catch (error) {
    throw new DataDirError(`The profile folder ${target} cannot be written (${errorCode(error)}). ${CHOOSE_ANOTHER}`, { dataDir: target, reason: 'NOT_WRITABLE', errno: errorCode(error) });
  }
  return target;
}
