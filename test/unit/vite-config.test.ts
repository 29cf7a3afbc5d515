import path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolveConfig } from 'vite';

const configFile = path.resolve('vite.config.ts');

// Issue 14: Rolldown's [PLUGIN_TIMINGS] report printed on every start. Vite runs Rolldown for the
// build (npm start) and for the dev server's dependency pre-bundling (npm run dev): both are quiet.
test('the plugin-timings report is off for the build and for the dev server', async () => {
  const build = await resolveConfig({ configFile, logLevel: 'silent' }, 'build');
  assert.is(build.build.rolldownOptions.checks?.bundlerTimings, false);
  const serve = await resolveConfig({ configFile, logLevel: 'silent' }, 'serve');
  assert.is(serve.optimizeDeps.rolldownOptions?.checks?.bundlerTimings, false);
});

test.run();
