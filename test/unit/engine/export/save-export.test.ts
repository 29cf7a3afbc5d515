import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { SaveFileInput } from '../../../../engine/contract/index';
import { writeExport } from '../../../../engine/export/save-export';
import { tempDir } from '../../../support/tmp';

// What the Electron save dialog's handler writes: the file the user chose, never one they did not agree to replace.
const dir = tempDir('polystore-export-');
const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const svg = (content = '<svg xmlns="http://www.w3.org/2000/svg"/>') => SaveFileInput.parse({ fileName: 'chart.svg', format: 'svg', content });

test.after(() => dir.remove());

test('writes the chosen file with the text as UTF-8, readable by the user only', () => {
  const target = writeExport(path.join(dir.path, 'sales.svg'), svg('<svg>ü</svg>'), { overwriteConfirmed: true });
  assert.is(target, path.join(dir.path, 'sales.svg'));
  assert.is(fs.readFileSync(target, 'utf8'), '<svg>ü</svg>');
  assert.is(fs.statSync(target).mode & 0o777, 0o600);
});

test('a PNG is decoded from base64 and must be a PNG', () => {
  const target = writeExport(path.join(dir.path, 'chart.png'), SaveFileInput.parse({ fileName: 'chart.png', format: 'png', content: PNG_1PX }), { overwriteConfirmed: false });
  assert.equal([...fs.readFileSync(target).subarray(1, 4)], [0x50, 0x4e, 0x47]);
  const notPng = SaveFileInput.parse({ fileName: 'chart.png', format: 'png', content: Buffer.from('<svg/>').toString('base64') });
  assert.throws(() => writeExport(path.join(dir.path, 'fake.png'), notPng, { overwriteConfirmed: false }), (e: Error & { code?: string }) => e.code === 'VALIDATION');
  assert.not.ok(fs.existsSync(path.join(dir.path, 'fake.png')));
});

test('the dialog-confirmed path may replace a file; a name that gained its extension here never does', () => {
  const chosen = path.join(dir.path, 'report');
  fs.writeFileSync(`${chosen}.svg`, 'keep me');
  // The user typed "report": the dialog confirmed nothing about report.svg.
  assert.throws(() => writeExport(chosen, svg(), { overwriteConfirmed: true }), (e: Error & { code?: string }) => e.code === 'CONFLICT' && /already exists/.test(e.message));
  assert.is(fs.readFileSync(`${chosen}.svg`, 'utf8'), 'keep me');
  // Without a confirmation, an existing file is refused too.
  assert.throws(() => writeExport(`${chosen}.svg`, svg(), { overwriteConfirmed: false }), (e: Error & { code?: string }) => e.code === 'CONFLICT');
  // The dialog asked "Replace report.svg?" and the user said yes.
  writeExport(`${chosen}.svg`, svg('<svg>new</svg>'), { overwriteConfirmed: true });
  assert.is(fs.readFileSync(`${chosen}.svg`, 'utf8'), '<svg>new</svg>');
  const added = writeExport(path.join(dir.path, 'fresh'), svg(), { overwriteConfirmed: true });
  assert.is(added, path.join(dir.path, 'fresh.svg'));
});

test('the contract refuses a file name with a folder, a hidden name, an unknown format', () => {
  for (const fileName of ['../a.svg', 'a/b.svg', 'C:\\a.svg', '.bashrc', '', 'a\u0000.svg']) assert.not.ok(SaveFileInput.safeParse({ fileName, format: 'svg', content: '' }).success, fileName);
  assert.not.ok(SaveFileInput.safeParse({ fileName: 'a.exe', format: 'exe', content: '' }).success);
  assert.ok(SaveFileInput.safeParse({ fileName: 'total-sales-per-country-2026-12-06.svg', format: 'svg', content: '' }).success);
});

test.run();
