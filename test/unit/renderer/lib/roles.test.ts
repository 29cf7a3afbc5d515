import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { canOpen, isOwner, routesFor } from '../../../../renderer/src/lib/roles';
import { ROUTES } from '../../../../renderer/src/lib/routes';

test('the owner sees every page; a viewer has no Audit log or Evaluate page, and no role yet means no owner controls', () => {
  assert.equal(routesFor('owner').map((r) => r.id), ROUTES.map((r) => r.id));
  assert.equal(routesFor('viewer').map((r) => r.id), ['sources', 'chat', 'results', 'settings']);
  assert.is(canOpen('audit', 'viewer'), false);
  assert.is(canOpen('eval', 'viewer'), false);
  assert.is(canOpen('chat', 'viewer'), true);
  assert.equal([isOwner('owner'), isOwner('viewer'), isOwner(null), isOwner(undefined)], [true, false, false, false]);
});

test.run();
