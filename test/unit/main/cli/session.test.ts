import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { durationOption } from '../../../../main/cli/commands/session';
import { chooseSocketPath, MAX_SOCKET_PATH_BYTES, readRecord, recordFile, sessionDir, writeRecord, type SessionRecord } from '../../../../main/cli/session/files';
import { encodeResponse, lineSplitter, parseRequest, parseResponse } from '../../../../main/cli/session/protocol';
import { tempDir } from '../../../support/tmp';

test('--for takes 1s to 8h (a bare number is minutes) and refuses anything else', () => {
  assert.is(durationOption('15m'), 900_000);
  assert.is(durationOption('90s'), 90_000);
  assert.is(durationOption('2h'), 7_200_000);
  assert.is(durationOption('10'), 600_000);
  for (const bad of ['0s', '9h', '481m', '1.5h', '-1m', 'soon', '']) assert.throws(() => durationOption(bad), /duration|between/, bad);
});

test('the socket sits beside the record when its path fits sun_path, else in a private folder under the temp folder with a random name', () => {
  assert.is(chooseSocketPath('/home/me/.config/PolyStoreIQ/cli-sessions/default', 'abc', '/tmp'), '/home/me/.config/PolyStoreIQ/cli-sessions/default/s.sock');
  const long = `/Users/someone/Library/Application Support/${'x'.repeat(60)}/cli-sessions/default`;
  const chosen = chooseSocketPath(long, 'r4nd0m', '/var/folders/zz/T');
  assert.is(chosen, '/var/folders/zz/T/polystore-r4nd0m/s.sock');
  assert.ok(Buffer.byteLength(chosen) <= MAX_SOCKET_PATH_BYTES);
});

test('each profile name has its own session folder; the default profile too', () => {
  const dirs = new Set([sessionDir('/p', null), sessionDir('/p', 'Ana'), sessionDir('/p', 'Bo'), sessionDir('/p', 'default')]);
  assert.is(dirs.size, 4);
});

test('a session record is trusted only when it is private and names the same profile', () => {
  const dir = tempDir();
  try {
    const record: SessionRecord = { version: 1, pid: 1, requested: 'Ana', socketPath: '/tmp/x/s.sock', token: 'ab'.repeat(32), startedAt: '', idleTimeoutMs: 1000 };
    assert.is(readRecord(dir.path, 'Ana').kind, 'none');
    fs.mkdirSync(sessionDir(dir.path, 'Ana'), { recursive: true });
    writeRecord(recordFile(dir.path, 'Ana'), record);
    assert.is(fs.statSync(recordFile(dir.path, 'Ana')).mode & 0o777, 0o600);
    assert.equal(readRecord(dir.path, 'Ana'), { kind: 'record', record });
    fs.chmodSync(recordFile(dir.path, 'Ana'), 0o644);
    assert.equal(readRecord(dir.path, 'Ana'), { kind: 'unsafe', why: 'its record is readable by other users' });
    fs.chmodSync(recordFile(dir.path, 'Ana'), 0o600);
    // Copied into another profile's folder, it does not name that profile.
    fs.mkdirSync(sessionDir(dir.path, null), { recursive: true });
    fs.copyFileSync(recordFile(dir.path, 'Ana'), recordFile(dir.path, null));
    assert.is(readRecord(dir.path, null).kind, 'unsafe');
    fs.writeFileSync(path.join(sessionDir(dir.path, 'Ana'), 'session.json'), '{"version":1,"token":"short"}', { mode: 0o600 });
    assert.is(readRecord(dir.path, 'Ana').kind, 'unsafe');
  } finally {
    dir.remove();
  }
});

test('requests are read line by line across chunks; a line over the limit stops the reading', () => {
  const lines: string[] = [];
  let overflowed = false;
  const feed = lineSplitter((l) => lines.push(l), () => (overflowed = true), 16);
  feed(Buffer.from('{"a":1}\n{"b"'));
  feed(Buffer.from(':2}\n'));
  assert.equal(lines, ['{"a":1}', '{"b":2}']);
  feed(Buffer.from('x'.repeat(20)));
  assert.ok(overflowed);
  feed(Buffer.from('\n{"c":3}\n'));
  assert.is(lines.length, 2);
});

test('only well-formed requests are parsed: an id, a token, and hello, end or a call naming a channel', () => {
  assert.equal(parseRequest('{"id":1,"token":"t","op":"hello"}'), { id: 1, token: 't', op: 'hello' });
  assert.equal(parseRequest('{"id":2,"token":"t","op":"call","channel":"auth.status"}'), { id: 2, token: 't', op: 'call', channel: 'auth.status', input: undefined });
  for (const bad of ['nope', '{"id":1,"op":"hello"}', '{"id":"1","token":"t","op":"hello"}', '{"id":1,"token":"t","op":"call"}', '{"id":1,"token":"t","op":"exec"}', 'null']) {
    assert.is(parseRequest(bad), null, bad);
  }
});

test('a response carries what JSON cannot (typed-array columns, bigints) on one line; a damaged line is not a response', () => {
  const value = { values: new Float64Array([1.5, 2]), offsets: new Uint32Array([3, 7]), big: 2n ** 70n };
  const line = encodeResponse({ id: 7, result: { ok: true, value } });
  assert.is(line.indexOf('\n'), line.length - 1, 'one line');
  const back = parseResponse(line.trimEnd());
  assert.is(back?.id, 7);
  const got = (back?.result as { ok: true; value: typeof value }).value;
  assert.instance(got.values, Float64Array);
  assert.equal([...got.values], [1.5, 2]);
  assert.is(got.big, 2n ** 70n);
  assert.is(parseResponse('not base64 at all!'), null);
  assert.is(parseResponse(Buffer.from(JSON.stringify({ id: 1 })).toString('base64')), null);
});

test.run();
