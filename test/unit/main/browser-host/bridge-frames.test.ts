import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeColumns } from '../../../../engine/contract/result-columns';
import { damagedReply, fromSocketFrame, toSocketFrame } from '../../../../main/browser-host/bridge-frames';

/** What the page's socket (binaryType 'arraybuffer') hands its onmessage for what the server sent. */
function received(sent: string | Uint8Array): unknown {
  return typeof sent === 'string' ? sent : sent.buffer.slice(sent.byteOffset, sent.byteOffset + sent.byteLength);
}

const columnsReply = () => ({
  id: 42,
  result: { ok: true, value: { columns: [{ name: 'n' }], data: encodeColumns([[1.5], [null], [3]], 1), rowCount: 3, truncated: false, expiredAt: null } },
});

test('a reply holding a result as columns crosses as a binary frame and reads back with its typed arrays', () => {
  const sent = toSocketFrame(columnsReply());
  assert.instance(sent, Uint8Array);
  const read = fromSocketFrame(received(sent));
  assert.equal(read, { ok: true, message: columnsReply() });
});

test('replies and events without typed arrays stay JSON text, as before', () => {
  const reply = { id: 1, result: { ok: true, value: { rows: [[1, 'a', null]] } } };
  const sent = toSocketFrame(reply);
  assert.type(sent, 'string');
  assert.equal(fromSocketFrame(received(sent)), { ok: true, message: reply });
  assert.type(toSocketFrame({ event: 'chat.updated', payload: { sessionId: 's', messageId: null } }), 'string');
});

test("a damaged binary reply answers its caller with a typed error when the envelope names it, and is dropped when nothing does", () => {
  const sent = toSocketFrame(columnsReply()) as Uint8Array;
  const cut = fromSocketFrame(received(sent.subarray(0, sent.byteLength - 8)));
  assert.equal(cut, { ok: false, id: 42, reason: 'BAD_SEGMENT' });
  assert.equal(damagedReply('BAD_SEGMENT'), { ok: false, error: { code: 'INTERNAL', message: 'A reply from the engine arrived damaged; try again.', details: { reason: 'DAMAGED_FRAME', frame: 'BAD_SEGMENT' } } });
  assert.equal(fromSocketFrame(new ArrayBuffer(5)), { ok: false, id: null, reason: 'NOT_A_FRAME' });
  assert.equal(fromSocketFrame('{not json'), { ok: false, id: null, reason: 'NOT_JSON' });
  assert.equal(fromSocketFrame(new Blob([])), { ok: false, id: null, reason: 'NOT_A_FRAME' });
});

test.run();
