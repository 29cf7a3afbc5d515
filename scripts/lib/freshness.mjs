// Whether a build output is current: a build records what each of its input
// files looked like (size, mtime, SHA-256); a later check stats them again.
// Checking costs one stat per input (a few ms for a few hundred files); a file
// is hashed only when its mtime moved but its size did not, so a checkout or a
// `touch` that left the content alone does not force a rebuild.
import fs from 'node:fs';
import path from 'node:path';

// node:crypto is loaded on first use: importing it costs more than checking every input.
const crypto = () => process.getBuiltinModule('node:crypto');
const sha256 = (file) => crypto().createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** What the input files look like now; paths are relative to `root`, sorted. */
export function snapshotInputs(root, files) {
  const relative = [...new Set(files.map((f) => path.relative(root, path.resolve(root, f)).split(path.sep).join('/')))].sort();
  return relative.map((file) => {
    const absolute = path.join(root, file);
    const stat = fs.statSync(absolute);
    return { file, size: stat.size, mtimeMs: stat.mtimeMs, sha256: sha256(absolute) };
  });
}

/** One hash over every input's content: names a build of exactly these sources. */
export function inputsDigest(inputs) {
  const hash = crypto().createHash('sha256');
  for (const input of inputs) hash.update(`${input.file}\0${input.sha256}\n`);
  return hash.digest('hex');
}

/**
 * Compares a recorded snapshot with the files on disk. Returns the inputs whose
 * content changed or that are gone (empty when the build is current), and, when
 * some mtime moved with the content unchanged, `retimed`: the snapshot with the
 * mtimes seen before hashing, which the caller may record to skip hashing next time.
 */
export function compareInputs(root, inputs) {
  const changed = [];
  let retimed = null;
  inputs.forEach((input, index) => {
    const absolute = path.join(root, input.file);
    let stat;
    try {
      stat = fs.statSync(absolute);
    } catch {
      changed.push(input.file);
      return;
    }
    if (stat.size !== input.size) changed.push(input.file);
    else if (stat.mtimeMs !== input.mtimeMs) {
      if (sha256(absolute) !== input.sha256) changed.push(input.file);
      else {
        retimed ??= [...inputs];
        retimed[index] = { ...input, mtimeMs: stat.mtimeMs };
      }
    }
  });
  return { changed, retimed: changed.length === 0 ? retimed : null };
}

/** Reads a JSON manifest, or null when it is missing or unreadable (a build never finished). */
export function readManifest(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
}

/** Writes a manifest so that a reader sees the old file or the new one, never half of one. */
export function writeManifest(file, manifest) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(manifest, null, 1) + '\n');
  fs.renameSync(temporary, file);
}
