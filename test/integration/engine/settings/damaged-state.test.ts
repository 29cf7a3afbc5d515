import fs from 'node:fs';
import path from 'node:path';
import Sqlite from 'better-sqlite3';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DATABASE_FILE } from '../../../../engine/engine';
import { openTestEngine } from '../../../support/engine';
import { tempDir } from '../../../support/tmp';

// A damaged row, as a crash mid-write, a disk error or a hand edit leaves it, in the real SQLite file.
function edit(dataDir: string, sql: string, ...params: unknown[]): void {
  const db = new Sqlite(path.join(dataDir, DATABASE_FILE));
  try {
    db.prepare(sql).run(...params);
  } finally {
    db.close();
  }
}

test('a settings row that is not JSON or out of range: its default is used and reported, every other command works, saving it clears the warning', async () => {
  const first = await openTestEngine({ unlocked: true, keepDataDir: true });
  await first.ok('settings.update', { approvalTtlSeconds: 300, chatContextTurns: 9 });
  await first.close();
  edit(first.dataDir, `UPDATE settings SET value_json = '{"oops' WHERE key = 'approvalTtlSeconds'`);
  edit(first.dataDir, `UPDATE settings SET value_json = '-4' WHERE key = 'chatContextTurns'`);

  const te = await openTestEngine({ dataDir: first.dataDir, unlocked: true });
  try {
    const settings = await te.ok('settings.get');
    assert.is(settings.approvalTtlSeconds, 120, 'the default');
    assert.is(settings.chatContextTurns, 6, 'the default');
    assert.equal(
      settings.warnings.map((w) => w.key),
      ['approvalTtlSeconds', 'chatContextTurns'],
    );
    assert.match(settings.warnings[0]!.message, /could not be read \(not valid JSON\); the default is used until it is saved again/);
    // Commands that read settings (auth, sources, chat) work instead of failing with INTERNAL.
    assert.is((await te.ok('auth.status')).state, 'unlocked');
    assert.equal(await te.ok('sources.list'), []);
    assert.equal(await te.ok('chat.listSessions'), []);
    const log = fs.readFileSync(path.join(te.dataDir, 'logs', 'engine.log'), 'utf8');
    assert.match(log, /a stored setting could not be read; its default is used.*"key":"approvalTtlSeconds"/);

    const saved = await te.ok('settings.update', { approvalTtlSeconds: 200 });
    assert.is(saved.approvalTtlSeconds, 200);
    assert.equal(saved.warnings.map((w) => w.key), ['chatContextTurns']);
  } finally {
    await te.close();
  }
});

test('a source row whose saved JSON is damaged is listed BROKEN with the reason and refused; the other sources work; editing it repairs it', async () => {
  const files = tempDir();
  fs.writeFileSync(path.join(files.path, 'people.csv'), 'id,name\n1,Ada\n');
  const first = await openTestEngine({ unlocked: true, keepDataDir: true });
  const damaged = await first.ok('sources.create', { name: 'Warehouse', type: 'postgres', url: 'postgresql://reporter@127.0.0.1:5432/postgres?sslmode=disable' });
  const fine = await first.ok('sources.create', { name: 'People', type: 'file', connection: { paths: [path.join(files.path, 'people.csv')] } });
  await first.close();
  edit(first.dataDir, `UPDATE sources SET connection_json = '{"host": 12', risks_json = 'null' WHERE id = ?`, damaged.id);

  const te = await openTestEngine({ dataDir: first.dataDir, unlocked: true });
  try {
    const list = await te.ok('sources.list');
    assert.equal(
      list.map((s) => [s.name, s.status]),
      [['People', 'UNTESTED'], ['Warehouse', 'BROKEN']],
    );
    const broken = list.find((s) => s.id === damaged.id)!;
    assert.is(broken.connection, null);
    assert.is(broken.risksConfirmed, false);
    assert.match(broken.lastError ?? '', /The saved connection details, login risks of this source could not be read .*Edit the source to enter them again, or remove it\./);

    const refused = await te.call('sources.test', { id: damaged.id });
    assert.is(refused.ok ? 'ran' : `${refused.error.code} ${refused.error.details?.reason}`, 'FORBIDDEN SOURCE_BROKEN');
    const tested = await te.ok('sources.test', { id: fine.id });
    assert.is(tested.ok, true, 'the other source still works');

    const repaired = await te.ok('sources.update', { id: damaged.id, url: 'postgresql://reporter@127.0.0.1:5432/postgres?sslmode=disable' });
    assert.is(repaired.status, 'UNTESTED');
    assert.is(repaired.lastError, null);
    assert.equal(repaired.risks, []);
  } finally {
    await te.close();
    files.remove();
  }
});

test.run();
