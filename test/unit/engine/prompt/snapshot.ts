import fs from 'node:fs';
import path from 'node:path';
import * as assert from 'uvu/assert';
import type { BuiltPrompt } from '../../../../engine/prompt/index';
import { repoRoot } from '../../../support/tmp';

export const SNAPSHOT_DIR = path.join(repoRoot, 'test', 'fixtures', 'prompts');

/**
 * Compares text with test/fixtures/prompts/<name>.txt. A missing snapshot
 * fails unless UPDATE_SNAPSHOTS=1, which writes (or rewrites) it: a snapshot
 * is never created silently.
 */
export function matchSnapshot(name: string, actual: string): void {
  const file = path.join(SNAPSHOT_DIR, `${name}.txt`);
  const update = process.env.UPDATE_SNAPSHOTS === '1';
  if (update) {
    fs.mkdirSync(SNAPSHOT_DIR, { recursive: true });
    fs.writeFileSync(file, actual);
    return;
  }
  if (!fs.existsSync(file)) assert.unreachable(`snapshot ${path.relative(repoRoot, file)} is missing; run with UPDATE_SNAPSHOTS=1 to write it`);
  assert.fixture(actual, fs.readFileSync(file, 'utf8'), `prompt ${name} differs from its snapshot (UPDATE_SNAPSHOTS=1 rewrites it)`);
}

/** A composed prompt as readable text: what a reviewer checks in a snapshot diff. */
export function describePrompt(prompt: BuiltPrompt): string {
  const parts = [`=== system ===\n${prompt.system}`];
  for (const block of prompt.contextBlocks) parts.push(`=== context: ${block.title} ===\n${block.text}`);
  prompt.messages.forEach((m, i) => parts.push(`=== message ${i + 1} (${m.role}) ===\n${m.content}`));
  parts.push(`=== output schema ===\n${JSON.stringify(prompt.outputSchema, null, 2)}`);
  parts.push(
    `=== selection ===\ntables: ${prompt.tables.join(', ')}\nschemaTruncated: ${prompt.schemaTruncated}\nsampleValuesIncluded: ${prompt.sampleValuesIncluded}\nhistoryTurns: ${prompt.historyTurns}\nestimatedTokens: ${prompt.estimatedTokens}`,
  );
  return `${parts.join('\n\n')}\n`;
}
