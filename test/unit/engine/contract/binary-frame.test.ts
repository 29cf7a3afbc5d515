import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeFrame, encodeFrame, holdsTypedArrays } from '../../../../engine/contract/binary-frame';
import { encodeColumns } from '../../../../engine/contract/result-columns';

const reply = () => ({
  id: 7,
  result: {
    ok: true,
    value: {
      columns: [{ name: 'n' }, { name: 's' }],
      // A user document whose keys look like the frame's own words must come back as it was.
      doc: { path: ['value', 0], segments: null, $bin: 1, type: 'Float64Array' },
      data: encodeColumns(
        Array.from({ length: 1001 }, (_, i) => [i % 5 === 0 ? null : i / 3, i % 7 === 0 ? null : `é ${i}`]),
        2,
      ),
      odd: new Uint8Array([1, 2, 3]),
    },
  },
});

test('a reply holding typed arrays crosses as one frame and comes back equal, typed arrays included', () => {
  const value = reply();
  assert.ok(holdsTypedArrays(value));
  assert.not.ok(holdsTypedArrays({ id: 1, result: { ok: true, value: { rows: [[1, 'a']] } } }));
  const frame = encodeFrame(value);
  const decoded = decodeFrame(frame);
  assert.is(decoded.ok, true);
  if (!decoded.ok) return;
  assert.equal(decoded.value, value);
  const numbers = (decoded.value as ReturnType<typeof reply>).result.value.data.columns[0] as { values: Float64Array };
  assert.instance(numbers.values, Float64Array);
  assert.is(numbers.values.byteOffset, 0);
});

test('a frame read from a larger buffer at an odd offset (as SQLite hands a blob) decodes the same', () => {
  const frame = encodeFrame(reply());
  const larger = new Uint8Array(frame.byteLength + 3);
  larger.set(frame, 3);
  const decoded = decodeFrame(larger.subarray(3));
  assert.is(decoded.ok, true);
  if (decoded.ok) assert.equal(decoded.value, reply());
});

test('a damaged frame is a reason, never a throw, and keeps the envelope when only a segment is damaged', () => {
  const frame = encodeFrame(reply());
  assert.is(decodeFrame(new Uint8Array(3)).ok, false);
  const wrongMagic = frame.slice();
  wrongMagic[0] = 0;
  assert.equal(decodeFrame(wrongMagic), { ok: false, reason: 'NOT_A_FRAME', message: 'no frame marker' });
  const longEnvelope = frame.slice();
  new DataView(longEnvelope.buffer).setUint32(4, frame.byteLength, true);
  assert.is((decodeFrame(longEnvelope) as { reason: string }).reason, 'BAD_ENVELOPE');
  const badJson = frame.slice();
  badJson[8] = 0x7b + 1;
  assert.is((decodeFrame(badJson) as { reason: string }).reason, 'BAD_ENVELOPE');
  const cut = decodeFrame(frame.subarray(0, frame.byteLength - 16));
  assert.is(cut.ok, false);
  if (!cut.ok) {
    assert.is(cut.reason, 'BAD_SEGMENT');
    assert.is((cut.envelope as { id: number }).id, 7);
  }
  const extra = new Uint8Array(frame.byteLength + 8);
  extra.set(frame);
  assert.is((decodeFrame(extra) as { reason: string }).reason, 'BAD_SEGMENT');
  // Any one byte flipped (every 13th, across envelope and segments): an answer, never an exception.
  for (let i = 0; i < frame.length; i += 13) {
    const noise = frame.slice();
    noise[i] = noise[i]! ^ 0xff;
    assert.type(decodeFrame(noise).ok, 'boolean');
  }
});

test('long text (a text column joined) crosses as UTF-8 bytes and reads back exactly, lone surrogates included', () => {
  const long = 'ü€🙂 "quoted" \\ line\n'.repeat(1000);
  const lone = 'x'.repeat(5000) + '\ud800' + 'y';
  const value = { data: encodeColumns([[long], [''], [null]], 1), doc: { long, lone }, short: 'é' };
  const frame = encodeFrame(value);
  assert.ok(frame.byteLength < JSON.stringify(value).length + 4096, 'the long text is not also in the envelope');
  const decoded = decodeFrame(frame);
  assert.is(decoded.ok, true);
  if (decoded.ok) assert.equal(decoded.value, value);
  assert.not.ok(holdsTypedArrays({ long }), 'a reply with long text only stays JSON');
});

test('a typed array of a kind the frame does not carry is refused when encoding', () => {
  assert.throws(() => encodeFrame({ x: new Int16Array(2) }), /Int16Array cannot cross/);
});

test.run();
