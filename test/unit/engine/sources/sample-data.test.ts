import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EngineError } from '../../../../engine/errors';
import { isSamplePaths, resolveSampleDir, SAMPLE, sampleFiles } from '../../../../engine/sources/sample-data';
import { repoRoot, tempDir } from '../../../support/tmp';

const dir = tempDir();
test.after(() => dir.remove());

/** A folder with the sample's files (empty stand-ins: the resolver only looks for them). */
function sampleAt(...parts: string[]): string {
  const folder = path.join(dir.path, ...parts);
  fs.mkdirSync(folder, { recursive: true });
  for (const file of sampleFiles(folder)) fs.writeFileSync(file, '');
  return folder;
}

const noEnv = {};

test('in this checkout: found in build-resources from the engine source folder', () => {
  const found = resolveSampleDir({ moduleDir: path.join(repoRoot, 'engine', 'sources'), env: noEnv });
  assert.is(found, path.join(repoRoot, 'build-resources', 'sample', 'chinook'));
  assert.ok(sampleFiles(found).every((f) => fs.statSync(f).size > 0));
});

test('dev build: found from dist/electron, where the bundled main process runs', () => {
  const checkout = path.join(dir.path, 'checkout');
  const expected = sampleAt('checkout', 'build-resources', 'sample', 'chinook');
  fs.mkdirSync(path.join(checkout, 'dist', 'electron'), { recursive: true });
  // Electron in dev sets resourcesPath to its own folder, which has no sample: the checkout is used.
  const resourcesPath = path.join(checkout, 'node_modules', 'electron', 'dist', 'resources');
  assert.is(resolveSampleDir({ moduleDir: path.join(checkout, 'dist', 'electron'), resourcesPath, env: noEnv }), expected);
});

test('packaged: found in the resources folder (extraResources), not inside the asar', () => {
  const resources = path.join(dir.path, 'PolyStoreIQ.app', 'Contents', 'Resources');
  const expected = sampleAt('PolyStoreIQ.app', 'Contents', 'Resources', 'sample', 'chinook');
  const moduleDir = path.join(resources, 'app.asar', 'dist', 'electron');
  assert.is(resolveSampleDir({ moduleDir, resourcesPath: resources, env: noEnv }), expected);
});

test('POLYSTORE_SAMPLE_DIR comes first; an explicit folder is the only one looked at', () => {
  const fromEnv = sampleAt('env', 'sample', 'chinook');
  const moduleDir = path.join(repoRoot, 'engine', 'sources');
  assert.is(resolveSampleDir({ moduleDir, env: { POLYSTORE_SAMPLE_DIR: fromEnv } }), fromEnv);
  const explicit = sampleAt('explicit');
  assert.is(resolveSampleDir({ explicit, moduleDir, env: { POLYSTORE_SAMPLE_DIR: fromEnv } }), explicit);
});

test('a folder missing one table is skipped; none at all is a typed UNAVAILABLE error naming where it looked', () => {
  const partial = sampleAt('partial', 'sample', 'chinook');
  fs.rmSync(path.join(partial, 'track.parquet'));
  const moduleDir = path.join(dir.path, 'nowhere', 'a', 'b');
  fs.mkdirSync(moduleDir, { recursive: true });
  try {
    resolveSampleDir({ moduleDir, env: { POLYSTORE_SAMPLE_DIR: partial } });
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, EngineError);
    assert.is((error as EngineError).code, 'UNAVAILABLE');
    assert.match((error as EngineError).message, /sample data is not installed/);
    assert.ok(((error as EngineError).details?.looked as string[]).includes(partial));
  }
});

test('a sample source is recognised by its files in a sample/chinook folder, wherever the app lives', () => {
  assert.ok(isSamplePaths(sampleFiles('/Applications/PolyStoreIQ.app/Contents/Resources/sample/chinook')));
  assert.ok(isSamplePaths(sampleFiles(path.join(repoRoot, 'build-resources', 'sample', 'chinook'))));
  assert.not.ok(isSamplePaths(sampleFiles('/home/me/data/chinook')), 'not in a sample folder');
  assert.not.ok(isSamplePaths(sampleFiles('/x/sample/chinook').slice(1)), 'a table missing');
  assert.not.ok(isSamplePaths(sampleFiles('/x/sample/chinook').reverse()), 'another order');
  assert.is(SAMPLE.tables.length, 11);
});

test.run();
