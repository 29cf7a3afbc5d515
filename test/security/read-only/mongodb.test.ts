/**
 * MongoDB on the wire-protocol test server with the real driver: every attack
 * in the corpus is refused by check, what check accepts does no harm (read
 * from the data and from the commands the server received), and every
 * analytical read is accepted and runs. The report (stdout and
 * test-artifacts/security/read-only-mongodb.json) lists what got through.
 */
import { test } from 'uvu';
import { createMongoConnector } from '../../../engine/connectors/mongodb/connector';
import type { Connector } from '../../../engine/connectors/types';
import { MongoCanary } from '../../support/fingerprint/mongo';
import { mongoSpec } from '../../support/mongo-wire/specs';
import { mongodbAnalytical } from '../analytical/mongodb';
import { mongodbAttacks } from '../attacks/mongodb';
import { canaryStore, registerReadOnlySuite } from './harness';

registerReadOnlySuite(test, {
  store: 'mongodb',
  attacks: mongodbAttacks,
  analytical: mongodbAnalytical,
  seenWithoutGuard: [
    'mongodb/cross-database/database-admin',
    'mongodb/cross-database/database-other-count',
    'mongodb/cross-database/lookup-other-db',
    'mongodb/cross-database/unionwith-db-field',
    'mongodb/cross-database/escaped-key',
    'mongodb/cross-database/duplicate-database-key',
    'mongodb/wire-level/where',
    'mongodb/wire-level/code-value',
    'mongodb/wire-level/code-in-dbref',
    'mongodb/wire-level/function-operator',
    'mongodb/wire-level/accumulator',
    'mongodb/wire-level/duplicate-filter-key',
    'mongodb/wire-level/extra-keys',
    'mongodb/side-effect/out',
    'mongodb/side-effect/merge-other-db',
    'mongodb/side-effect/insert',
    'mongodb/side-effect/delete',
    'mongodb/side-effect/command-drop-database',
    'mongodb/side-effect/write-stage-in-lookup',
    'mongodb/catalog-secret/current-op',
    'mongodb/catalog-secret/change-stream',
    'mongodb/catalog-secret/system-users',
  ],
  async open() {
    const canary = await MongoCanary.create();
    const inner = createMongoConnector();
    // The wire reading compares what the server received with the text that was run.
    const connector: Connector = {
      type: inner.type,
      testConnection: (spec, signal) => inner.testConnection(spec, signal),
      fetchMetadata: (spec, signal) => inner.fetchMetadata(spec, signal),
      validate: (query, spec, signal) => inner.validate(query, spec, signal),
      explain: (spec, query, signal) => inner.explain(spec, query, signal),
      execute: (spec, query, options) => {
        canary.expect(query);
        return inner.execute(spec, query, options);
      },
      close: () => inner.close(),
    };
    const spec = mongoSpec(canary.server, { connection: { database: canary.db }, settings: { statementTimeoutMs: 3_000, rowLimit: 1_000 } });
    return {
      store: canaryStore(canary, {
        store: 'mongodb',
        connector,
        spec,
        // MongoDB keeps no session state a later query inherits; open cursors are in the snapshot.
        probeSession: null,
        resetSessions: () => inner.close(),
      }),
      async close() {
        await inner.close();
        await canary.close();
      },
    };
  },
});

test.run();
