import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decideEncoding, firstInvalidUtf8, guessLegacyEncoding, scanFile, transcodeToUtf8 } from '../../../../../engine/connectors/files/encoding';
import { tempDir } from '../../../../support/tmp';

const dir = tempDir('polystore-files-encoding-');
test.after(() => dir.remove());
const never = () => new AbortController().signal;

test('firstInvalidUtf8 finds the first byte that is not UTF-8, including overlongs, surrogates and cut-off sequences', () => {
  const cases: Array<[number[], number]> = [
    [[0x61, 0x62], -1],
    [[0xc3, 0xa9, 0x61], -1],
    [[0xf0, 0x9f, 0x98, 0x80], -1],
    [[0x61, 0xe9, 0x20], 1],
    [[0xc0, 0xaf], 0],
    [[0xe0, 0x80, 0xaf], 0],
    [[0xed, 0xa0, 0x80], 0],
    [[0xf4, 0x90, 0x80, 0x80], 0],
    [[0x61, 0x62, 0xe2, 0x82], 2],
    [[0x80], 0],
  ];
  for (const [bytes, at] of cases) assert.is(firstInvalidUtf8(Uint8Array.from(bytes)), at, bytes.map((b) => b.toString(16)).join(' '));
});

test('scanFile hashes the stored bytes and checks UTF-8 across chunk boundaries', async () => {
  // 3 MB of é (2 bytes each) straddles every 1 MB chunk boundary mid-character.
  const valid = Buffer.from('é'.repeat(1_500_000), 'utf8');
  const file = path.join(dir.path, 'valid.csv');
  fs.writeFileSync(file, valid);
  const scan = await scanFile(file, { compression: 'none', checkUtf8: true, signal: never() });
  assert.equal([scan.firstInvalidUtf8, scan.utf8BeforeInvalid, scan.contentBytes], [null, true, valid.length]);
  assert.is(scan.sha256, createHash('sha256').update(valid).digest('hex'));

  const broken = Buffer.concat([valid, Buffer.from([0xff]), Buffer.from('tail')]);
  const gz = path.join(dir.path, 'broken.csv.gz');
  fs.writeFileSync(gz, zlib.gzipSync(broken));
  const gzScan = await scanFile(gz, { compression: 'gzip', checkUtf8: true, signal: never() });
  assert.is(gzScan.firstInvalidUtf8, valid.length);
  assert.is(gzScan.contentBytes, broken.length);
  assert.is(gzScan.sha256, createHash('sha256').update(fs.readFileSync(gz)).digest('hex'));

  const cut = path.join(dir.path, 'cut.csv');
  fs.writeFileSync(cut, Buffer.from([0x61, 0xe2, 0x82]));
  assert.is((await scanFile(cut, { compression: 'none', checkUtf8: true, signal: never() })).firstInvalidUtf8, 1);
});

test('Shift-JIS is told from Latin-1 by what each decoding makes of the bytes', () => {
  const latin1 = Buffer.from('name,city\nJosé,Málaga\nFrançois,Besançon\nBjörn,Göteborg\n', 'latin1');
  const sjis = Buffer.from([0x96, 0xbc, 0x91, 0x4f, 0x2c, 0x8f, 0x5a, 0x8f, 0x8a, 0x0a, 0x93, 0x63, 0x92, 0x86, 0x2c, 0x93, 0x8c, 0x8b, 0x9e]); // 名前,住所 / 田中,東京
  assert.is(new TextDecoder('shift_jis').decode(sjis), '名前,住所\n田中,東京');
  assert.is(guessLegacyEncoding(latin1), 'windows-1252');
  assert.is(guessLegacyEncoding(sjis), 'shift_jis');
});

test('decideEncoding: UTF-8 is read as is, damaged UTF-8 keeps UTF-8, other bytes are a legacy encoding, UTF-16 is transcoded', () => {
  const scan = { sha256: '', contentBytes: 10, sample: Buffer.from('Jos\xe9', 'latin1') };
  assert.equal(decideEncoding(null, { ...scan, firstInvalidUtf8: null, utf8BeforeInvalid: false }), { encoding: 'utf-8', transcodeFrom: null, note: null });
  assert.equal(decideEncoding('utf-8', { ...scan, firstInvalidUtf8: null, utf8BeforeInvalid: true }).encoding, 'utf-8-bom');
  const damaged = decideEncoding(null, { ...scan, firstInvalidUtf8: 40, utf8BeforeInvalid: true });
  assert.equal([damaged.encoding, damaged.transcodeFrom], ['utf-8', 'utf-8']);
  assert.match(damaged.note ?? '', /invalid bytes \(the first at byte 40\)/);
  const legacy = decideEncoding(null, { ...scan, firstInvalidUtf8: 3, utf8BeforeInvalid: false });
  assert.equal([legacy.encoding, legacy.transcodeFrom], ['windows-1252', 'windows-1252']);
  assert.equal(decideEncoding('utf-16be', { ...scan, firstInvalidUtf8: null, utf8BeforeInvalid: false }).transcodeFrom, 'utf-16be');
});

test('transcoding writes UTF-8 without a byte-order mark and counts undecodable characters', async () => {
  const source = path.join(dir.path, 'in.csv');
  fs.writeFileSync(source, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('näme,€\n', 'utf16le')]));
  const target = path.join(dir.path, 'out.csv');
  assert.is(await transcodeToUtf8(source, target, { from: 'utf-16le', compression: 'none', signal: never() }), 0);
  assert.equal(fs.readFileSync(target), Buffer.from('näme,€\n', 'utf8'));
  fs.writeFileSync(source, Buffer.from([0x61, 0xff, 0x62, 0xfe]));
  assert.is(await transcodeToUtf8(source, target, { from: 'utf-8', compression: 'none', signal: never() }), 2);
  assert.is(fs.readFileSync(target, 'utf8'), 'a\uFFFDb\uFFFD');
});

test('an aborted scan stops with an AbortError', async () => {
  const file = path.join(dir.path, 'valid.csv');
  try {
    await scanFile(file, { compression: 'none', checkUtf8: true, signal: AbortSignal.abort() });
    assert.unreachable('scan finished');
  } catch (error) {
    assert.is((error as Error).name, 'AbortError');
  }
});

test.run();
