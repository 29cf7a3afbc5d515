import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConnectorError } from '../../../../engine/errors';
import { statementMayHaveStarted } from '../../../../engine/query/query-service';

test('a pooled connection the server dropped (a restart), found dead before the statement was sent, did not start it: the approval is given back', () => {
  assert.not.ok(statementMayHaveStarted(new ConnectorError('The connection to the server was lost while the query ran', { kind: 'CONNECTION_LOST', beforeStatement: true })));
});

test('a connection lost after the statement was sent may have started it; a connector that knows says so either way', () => {
  assert.ok(statementMayHaveStarted(new ConnectorError('lost', { kind: 'CONNECTION_LOST' })));
  assert.ok(statementMayHaveStarted(new ConnectorError('lost', { kind: 'CONNECTION_LOST', beforeStatement: true, statementStarted: true })));
  assert.not.ok(statementMayHaveStarted(new ConnectorError('refused', { kind: 'PORT_CLOSED' })));
  assert.ok(statementMayHaveStarted(new ConnectorError('division by zero', { sqlState: '22012' })));
});

test.run();
