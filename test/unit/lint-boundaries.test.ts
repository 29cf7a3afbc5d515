import path from 'node:path';
import { ESLint } from 'eslint';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { repoRoot } from '../support/tmp';

const eslint = new ESLint({ cwd: repoRoot });

async function importErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(repoRoot, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

const cases: Array<[string, string, boolean]> = [
  ['engine/sources/x.ts', "import { app } from 'electron';", false],
  ['engine/sources/x.ts', "import { x } from '../../main/cli/index';", false],
  ['engine/sources/x.ts', "import { x } from '../../renderer/src/lib/api';", false],
  ['engine/sources/x.ts', "import { z } from 'zod';", true],
  ['engine/contract/x.ts', "import { x } from '../errors';", false],
  ['engine/contract/x.ts', "import fs from 'node:fs';", false],
  ['engine/contract/x.ts', "import { z } from 'zod';", true],
  ['preload/x.ts', "import fs from 'node:fs';", false],
  ['preload/x.ts', "import { x } from '../engine/errors';", false],
  ['preload/x.ts', "import { contract } from '../engine/contract/index';", true],
  ['renderer/src/lib/x.ts', "import { toApiError } from '../../../engine/errors';", false],
  ['renderer/src/lib/x.ts', "import fs from 'node:fs';", false],
  ['renderer/src/lib/x.ts', "import { ipcRenderer } from 'electron';", false],
  ['renderer/src/lib/x.ts', "import type { ChannelName } from '../../../engine/contract/index';", true],
  ['main/browser-host/bridge-client.ts', "import { openEngine } from '../../engine/engine';", false],
  ['main/cli/x.ts', "import { x } from '../../renderer/src/lib/api';", false],
  ['main/cli/x.ts', "import { openEngine } from '../../engine/engine';", true],
];

test('the linter enforces the layering rules of STYLE.md', async () => {
  for (const [file, code, allowed] of cases) {
    const errors = await importErrors(file, code + '\nexport const _keep = 1;\n');
    assert.is(errors.length === 0, allowed, `${file}: ${code} -> ${errors.join('; ') || 'allowed'}`);
  }
});

test.run();
