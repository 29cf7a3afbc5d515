import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_ROUTE, parseHash, toHash } from '../../../../renderer/src/lib/routes';

test('hashes round-trip, including parameters that need escaping', () => {
  assert.equal(parseHash(toHash('sources', 'src 1/2')), { route: 'sources', params: ['src 1/2'] });
  assert.equal(parseHash('#/chat'), { route: 'chat', params: [] });
});

test('unknown or empty hashes land on the default page', () => {
  assert.equal(parseHash(''), { route: DEFAULT_ROUTE, params: [] });
  assert.equal(parseHash('#/nope/x'), { route: DEFAULT_ROUTE, params: [] });
});

test.run();
