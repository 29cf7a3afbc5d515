import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_IMPORT_LIMITS, GzipGuard, StructureGuard, type ImportLimits } from '../../../../../engine/connectors/files/limits';
import type { Bom } from '../../../../../engine/connectors/files/detect';
import type { FileFormat } from '../../../../../engine/connectors/files/provenance';
import { FileLimitError } from '../../../../../engine/errors';

const small: ImportLimits = { ...DEFAULT_IMPORT_LIMITS, maxJsonDepth: 3, maxStringBytes: 8 };

/** What the guard says of `text` fed in chunks of `size` bytes: null when it passes, else the limit's kind. */
function verdict(text: string | Buffer, format: FileFormat = 'json', bom: Bom = null, size = 3): string | null {
  const guard = new StructureGuard('/d/x.json', format, bom, small);
  const bytes = typeof text === 'string' ? Buffer.from(text) : text;
  try {
    for (let i = 0; i < bytes.length; i += size) guard.feed(bytes.subarray(i, i + size));
    return null;
  } catch (error) {
    assert.instance(error, FileLimitError);
    return String((error as FileLimitError).details?.kind);
  }
}

test('JSON depth counts [ and { outside strings only, across chunk boundaries', () => {
  assert.is(verdict('[[[1]]]'), null);
  assert.is(verdict('[[[[1]]]]'), 'JSON_TOO_DEEP');
  assert.is(verdict('{"a":{"b":[{}]}}'), 'JSON_TOO_DEEP');
  // Brackets inside strings, and an escaped quote that does not end the string, are not nesting.
  assert.is(verdict('[["[[[", "\\"{{"]]'), null);
  // Depth is per value: many shallow values one after another pass (NDJSON).
  assert.is(verdict('[[1]]\n[[2]]\n[[3]]\n[[4]]', 'ndjson'), null);
});

test('a JSON string or a line of delimited text longer than the limit is refused; shorter ones pass', () => {
  assert.is(verdict('["12345678"]'), null);
  assert.is(verdict('["123456789"]'), 'STRING_TOO_LONG');
  assert.is(verdict('a,b\n1234567\n12345678\n', 'csv'), null);
  assert.is(verdict('a,b\n123456789\n', 'csv'), 'STRING_TOO_LONG');
  assert.is(verdict('a,b\r\n1234567\r\n', 'tsv'), null);
  // Old Mac line endings (CR only): many short lines, no LF at all.
  assert.is(verdict('a,b\r1234567\r1234567\r1234567\r', 'csv', null, 64), null);
  assert.is(verdict('a,b\r1234567\r123456789\r', 'csv', null, 64), 'STRING_TOO_LONG');
  // A long line split across chunks is still one line.
  assert.is(verdict('a,b\n12345\n6789\n', 'csv', null, 4), null);
  assert.is(verdict('a,b\n123456789\n', 'csv', null, 1), 'STRING_TOO_LONG');
});

test('UTF-16 is read by code units: a bracket byte inside a non-ASCII character is not a bracket', () => {
  // U+5B5B is two 0x5B bytes in either byte order: read byte by byte, this would be seven levels deep.
  assert.is(verdict(Buffer.from('[\u5b5b\u5b5b\u5b5b]', 'utf16le'), 'json', 'utf-16le', 3), null);
  assert.is(verdict(Buffer.from('[\u5b5b\u5b5b\u5b5b]', 'utf16le'), 'json', null, 3), 'JSON_TOO_DEEP');
  assert.is(verdict(Buffer.from('[[[[1]]]]', 'utf16le'), 'json', 'utf-16le', 3), 'JSON_TOO_DEEP');
  const be = Buffer.from('[[[[1]]]]', 'utf16le').swap16();
  assert.is(verdict(be, 'json', 'utf-16be', 5), 'JSON_TOO_DEEP');
});

test('a gzip stream is stopped by its total output or by its ratio past the floor, not before', () => {
  const guard = (max: number) => new GzipGuard('/d/x.csv.gz', max, { ...DEFAULT_IMPORT_LIMITS, maxGzipRatio: 10, gzipRatioFloorBytes: 100 });
  const kind = (fn: () => void) => {
    try {
      fn();
      return null;
    } catch (error) {
      return String((error as FileLimitError).details?.kind);
    }
  };
  // Under the floor, any ratio passes.
  assert.is(kind(() => guard(1000).add(100, 1)), null);
  assert.is(kind(() => guard(1000).add(101, 10)), 'GZIP_RATIO');
  assert.is(kind(() => guard(1000).add(101, 11)), null);
  assert.is(kind(() => guard(1000).add(1001, 1000)), 'GZIP_TOO_LARGE');
});

test.run();
