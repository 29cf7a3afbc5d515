import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { openDatabase } from '../../../../../engine/store/db';
import { migrations } from '../../../../../engine/store/migrations/index';
import { tempDir } from '../../../../support/tmp';

test('0100 migrates a 0090 database: sources and conversations are kept, verified answers belong to a source and go with it', () => {
  const dir = tempDir();
  const file = `${dir.path}/app.db`;
  const old = openDatabase(file, { migrations: migrations.filter((m) => m.id < 100) });
  const addSource = old.prepare(
    `INSERT INTO sources (id, name, type, connection_json, settings_json, created_at, updated_at) VALUES (?, ?, 'postgres', '{}', '{}', 't', 't')`,
  );
  addSource.run('src_1', 'Chinook');
  addSource.run('src_2', 'Other');
  old.prepare(`INSERT INTO chat_sessions (id, source_id, title, created_at, updated_at) VALUES ('ses_1', 'src_1', 'Albums', 't', 't')`).run();
  old.close();

  const db = openDatabase(file);
  assert.equal(db.prepare('SELECT id FROM sources ORDER BY id').all(), [{ id: 'src_1' }, { id: 'src_2' }]);
  assert.equal(db.prepare('SELECT id, source_id FROM chat_sessions').all(), [{ id: 'ses_1', source_id: 'src_1' }]);
  assert.equal(db.prepare('SELECT COUNT(*) AS n FROM verified_answers').get(), { n: 0 });

  const add = db.prepare(
    `INSERT INTO verified_answers (id, source_id, question, normalized_question, query_text, dialect, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 't', 't')`,
  );
  add.run('ver_1', 'src_1', 'How many albums?', 'count album', 'SELECT count(*) FROM album', 'postgres');
  add.run('ver_2', 'src_2', 'How many albums?', 'count album', 'SELECT count(*) FROM album', 'postgres');
  assert.throws(() => add.run('ver_3', 'src_1', 'number of albums', 'count album', 'SELECT 2', 'postgres'), /UNIQUE/, 'one verified query per question and source');
  assert.throws(() => add.run('ver_4', 'src_missing', 'q', 'q', 'SELECT 1', 'postgres'), /FOREIGN KEY/);
  assert.throws(() => add.run('ver_5', 'src_1', 'q2', 'q2', 'SELECT 1', 'oracle'), /CHECK/);
  assert.throws(() => add.run('ver_6', 'src_1', '  ', 'q3', 'SELECT 1', 'postgres'), /CHECK/);

  db.prepare(`DELETE FROM sources WHERE id = 'src_2'`).run();
  assert.equal(db.prepare('SELECT id FROM verified_answers').all(), [{ id: 'ver_1' }], 'removing a source removes its verified answers');
  db.close();
  dir.remove();
});

test.run();
