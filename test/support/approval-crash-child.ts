/**
 * The process the approval crash test kills: an engine on a given profile that
 * approves and runs queries in a loop, printing one line per step so the test
 * waits on state (never on time) and kills it mid-work.
 *
 *   node CHILD_BUNDLE DATA_DIR SOURCE_ID SESSION_ID MESSAGE_ID loop|block LOCKED_TABLE   (the test bundles this file first)
 *
 * `loop`: forever, in turn: a query prepared and run outside a conversation;
 * the conversation's query edited and approved; a prepared query denied.
 * (Edits rather than questions: the offline planner's start-up would be most of each short life.)
 * `block`: one query of a conversation on the table the test holds locked,
 * so its run is certainly in progress when its start is recorded (it prints
 * `edited` and waits for a line on stdin while the test takes the lock).
 */
import { openEngine } from '../../engine/engine';
import { createLogger } from '../../engine/log/logger';
import { createInlinePool } from '../../engine/pool/inline';

/** Long enough that a kill often lands while it runs; short enough for a 2-core machine. */
const SLOW_QUERY = 'SELECT count(*) AS n FROM track a CROSS JOIN media_type b CROSS JOIN genre c';

const [dataDir, sourceId, sessionId, messageId, mode, lockedTable] = process.argv.slice(2) as [string, string, string, string, 'loop' | 'block', string];
const say = (line: string) => process.stdout.write(`${line}\n`);

// Jobs run in this process (no worker threads): the approval's records are written the same way, and the kill hits everything at once.
const engine = await openEngine({ dataDir, host: 'test', healthIntervalMs: 0, pool: createInlinePool(), logger: createLogger({ file: `${dataDir}/logs/engine.log` }) });

// The services are called directly, below the router: unlocking (scrypt) would be most of each short life,
// and what is under test (recording approvals, runs and audit events) lives below the router anyway.
say('ready');

/** The next line on stdin (the test says `go` once it holds the lock). */
function nextLine(): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (!text.includes('\n')) return;
      process.stdin.off('data', onData);
      resolve(text.slice(0, text.indexOf('\n')));
    };
    process.stdin.on('data', onData);
  });
}

async function editAndApprove(query: string, block = false): Promise<void> {
  const target = await engine.chat.editQuery({ sessionId, messageId, query });
  if (!target.approval) throw new Error(`no approval for ${target.query}`);
  say('edited');
  if (block) {
    // Reviewing (EXPLAIN) the query needs the table too: the test locks it only now.
    await nextLine();
  }
  const outcome = await engine.chat.approve({ sessionId: target.sessionId, messageId: target.messageId, token: target.approval.token });
  if (outcome.payload.kind === 'error') throw new Error(`approve: ${outcome.payload.message}`);
  say('approved');
}

if (mode === 'block') {
  await editAndApprove(`SELECT count(*) AS n FROM ${lockedTable}`, true);
} else {
  for (let i = 0; ; i++) {
    try {
      await step(i);
    } catch (error) {
      // Another process on the profile moved the conversation on (REPLACED, SKIPPED): refused, as it should be.
      if ((error as { code?: unknown }).code !== 'APPROVAL') throw error;
      say('refused');
    }
  }
}

async function step(i: number): Promise<void> {
  if (i % 3 === 0) {
    const prepared = await engine.queries.prepare({ sourceId, query: SLOW_QUERY });
    if (!prepared.approval) throw new Error(`no approval: ${JSON.stringify(prepared.verdict)} ${prepared.explainError}`);
    say('prepared');
    await engine.queries.run({ token: prepared.approval.token });
    say('ran');
  } else if (i % 3 === 1) {
    await editAndApprove(`SELECT count(*) AS n FROM track WHERE track_id > ${i}`);
  } else {
    const prepared = await engine.queries.prepare({ sourceId, query: 'SELECT 1 AS one' });
    await engine.queries.deny(prepared.approval!.token);
    say('denied');
  }
}
