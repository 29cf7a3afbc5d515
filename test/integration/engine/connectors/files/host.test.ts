import fs from 'node:fs';
import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { AuditLog } from '../../../../../engine/audit/audit-log';
import { filesHostHooks } from '../../../../../engine/connectors/files/host';
import type { SourceHostContext } from '../../../../../engine/connectors/host-context';
import { AppSettings, SourceSettings } from '../../../../../engine/contract/index';
import { EngineError, TimeoutError } from '../../../../../engine/errors';
import type { JobPool } from '../../../../../engine/pool/pool';
import { openDatabase } from '../../../../../engine/store/db';
import { migration as initial } from '../../../../../engine/store/migrations/0010-initial';
import { migration as connectors } from '../../../../../engine/store/migrations/0020-connectors';
import { tempDir } from '../../../../support/tmp';

/**
 * An import that runs out of its time budget (20 minutes by default, so the
 * pool here stands in for one that did) is remembered like any failure: the
 * next use reports it at once instead of spending the budget again.
 */
const dir = tempDir('polystore-files-host-');
const db = openDatabase(path.join(dir.path, 'app.db'), { migrations: [initial, connectors] });
test.after(() => {
  db.close();
  dir.remove();
});

test('an import over its time budget is remembered with the file fingerprint and tried again only once the file changes', async () => {
  db.prepare(`INSERT INTO sources (id, name, type, connection_json, settings_json, secret_ref, created_at, updated_at) VALUES ('src_slow', 'Slow', 'file', '{}', '{}', NULL, 't', 't')`).run();
  const csv = path.join(dir.path, 'slow.csv');
  fs.writeFileSync(csv, 'a\n1\n');
  const imports: string[] = [];
  const pool = {
    run: async (job: { kind: string }) => {
      imports.push(job.kind);
      throw new TimeoutError('Importing the files took longer than 20 min and was stopped; nothing was changed.', { kind: 'IMPORT_TIME_BUDGET', limit: 'timeBudgetMs', max: 1_200_000 });
    },
  };
  const ctx: SourceHostContext = {
    spec: { sourceId: 'src_slow', type: 'file', connection: { paths: [csv] }, password: null, settings: SourceSettings.parse({}), workDir: path.join(dir.path, 'work') },
    db,
    pool: pool as unknown as JobPool,
    settings: AppSettings.parse({}),
    audit: { record: () => {} } as unknown as AuditLog,
    invalidateMetadata: () => {},
  };
  const use = async () => {
    try {
      await filesHostHooks.prepare!(ctx);
    } catch (error) {
      assert.instance(error, EngineError);
      return error as EngineError;
    }
    throw new Error('expected the use to fail');
  };
  const first = await use();
  assert.equal([first.code, first.details?.kind], ['TIMEOUT', 'IMPORT_TIME_BUDGET']);
  assert.equal(imports, ['files.import']);
  const again = await use();
  assert.equal([again.code, again.details?.remembered], ['CONNECTOR', true]);
  assert.match(again.message, /took longer than 20 min/);
  assert.equal(imports, ['files.import'], 'not imported again');
  const [listed] = filesHostHooks.files!(db, ctx.spec);
  assert.equal([listed?.status, listed?.error], ['failed', 'Importing the files took longer than 20 min and was stopped; nothing was changed.']);
  fs.writeFileSync(csv, 'a\n1\n2\n');
  await use();
  assert.equal(imports, ['files.import', 'files.import']);
});

test.run();
