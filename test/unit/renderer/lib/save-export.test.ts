import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PolystoreApi } from '../../../../renderer/src/lib/api';
import { describeSave, exportContent, exportFileName, saveExport } from '../../../../renderer/src/lib/save-export';

/** An api whose host.saveFile answers as given and records what it was sent. */
function hostApi(answer: unknown) {
  const sent: unknown[] = [];
  const api = { host: { saveFile: async (input: unknown) => (sent.push(input), answer) } } as unknown as PolystoreApi;
  return { api, sent };
}

const svgFile = () => ({ fileName: 'sales-2026-12-06.svg', format: 'svg' as const, data: new Blob(['<svg/>'], { type: 'image/svg+xml' }) });

test('export names follow the result title and the day, with the format as extension', () => {
  assert.is(exportFileName('Total sales per country', 'svg', new Date(2026, 11, 6)), 'total-sales-per-country-2026-12-06.svg');
  assert.is(exportFileName('???', 'png', new Date(2026, 0, 2)), 'result-2026-01-02.png');
});

test('in Electron the save dialog gets the file: text as it is, an image as base64', async () => {
  const { api, sent } = hostApi({ ok: true, value: { path: '/home/ana/Downloads/sales.svg' } });
  assert.equal(await saveExport(api, 'electron', svgFile()), { kind: 'saved', path: '/home/ana/Downloads/sales.svg' });
  assert.equal(sent, [{ fileName: 'sales-2026-12-06.svg', format: 'svg', content: '<svg/>' }]);
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0, 255]);
  assert.is(await exportContent({ fileName: 'a.png', format: 'png', data: new Blob([png]) }), Buffer.from(png).toString('base64'));
});

test('a cancelled dialog saves nothing and says so; a refusal keeps the engine message', async () => {
  assert.equal(await saveExport(hostApi({ ok: true, value: { path: null } }).api, 'electron', svgFile()), { kind: 'cancelled' });
  const conflict = { ok: false, error: { code: 'CONFLICT', message: 'A file named /x/sales.svg already exists: save it under another name.' } };
  const outcome = await saveExport(hostApi(conflict).api, 'electron', svgFile());
  assert.equal(outcome, { kind: 'failed', message: conflict.error.message });
  assert.is(describeSave(outcome), 'Not saved: A file named /x/sales.svg already exists: save it under another name.');
  assert.is(describeSave({ kind: 'cancelled' }), 'Not saved: the dialog was cancelled.');
});

test('the line after saving says where the file went', () => {
  assert.is(describeSave({ kind: 'saved', path: '/home/ana/Downloads/sales.svg' }), 'Saved to /home/ana/Downloads/sales.svg');
  assert.match(describeSave({ kind: 'downloaded', fileName: 'sales.svg' }), /^Downloaded sales\.svg: your browser's downloads list shows where\.$/);
});

test.run();
