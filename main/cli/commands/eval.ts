import fs from 'node:fs';
import { InvalidArgumentError, type Command } from 'commander';
import type { EvalRecord, EvalReport } from '../../../engine/contract/index';
import type { calibrationTable, percent } from '../../../engine/eval/summary';

// engine/eval/summary and engine/ids load in the action: at the top they would load zod (eval's contract) and node:crypto for every command.
type SummaryFormat = { percent: typeof percent; calibrationTable: typeof calibrationTable };
import { CliError, formatTable, intOption, type CliContext } from '../context';

/** Questions listed by name under the summary; --json has them all. */
const LISTED_MISSES = 20;

function confidenceOption(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) throw new InvalidArgumentError('must be a number from 0 to 1.');
  return n;
}

/** The file's lines; an unreadable file fails the run (NOT_FOUND when it is not there). */
function readLines(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CliError({ code: missing ? 'NOT_FOUND' : 'VALIDATION', message: `Cannot read ${file}: ${(error as Error).message}` });
  }
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1]!.trim() === '') lines.pop();
  if (lines.length === 0) throw new CliError({ code: 'VALIDATION', message: `${file} has no questions: write one JSON object a line, {"question": …, "rows": […]} or {"question": …, "gold_sql": …}.` });
  return lines;
}

function describeMiss(r: EvalRecord): string {
  const what = r.question ?? '(bad line)';
  return `  line ${r.line} ${r.outcome}${r.id ? ` ${r.id}` : ''}: ${what.length > 70 ? `${what.slice(0, 69)}…` : what}\n      ${r.detail.split('\n')[0]}`;
}

export function describeEval(report: EvalReport, { percent, calibrationTable }: SummaryFormat): string {
  const s = report.summary;
  const share = (n: number) => percent(s.questions === 0 ? 0 : n / s.questions);
  const lines = [
    `Evaluated ${s.questions} question${s.questions === 1 ? '' : 's'} on ${report.sourceId} in ${(s.elapsedMs / 1000).toFixed(1)} s${s.badLines ? ` (${s.badLines} bad line${s.badLines === 1 ? '' : 's'})` : ''}${s.threshold !== null ? `, threshold ${s.threshold}` : ''}.`,
    '',
    formatTable(
      ['outcome', 'count', 'share'],
      [
        ['correct', s.counts.correct, share(s.counts.correct)],
        ['  exact', s.exact, share(s.exact)],
        ['  with extra columns', s.superset, share(s.superset)],
        ['wrong', s.counts.wrong, share(s.counts.wrong)],
        ['declined', s.counts.declined, share(s.counts.declined)],
        ['error', s.counts.error, share(s.counts.error)],
      ],
    ),
    '',
    `Accuracy: ${percent(s.accuracy)}`,
    '',
    calibrationTable(s.calibration),
  ];
  const misses = report.records.filter((r) => r.outcome !== 'correct');
  if (misses.length > 0) {
    lines.push('', 'Not answered correctly:', ...misses.slice(0, LISTED_MISSES).map(describeMiss));
    if (misses.length > LISTED_MISSES) lines.push(`  … and ${misses.length - LISTED_MISSES} more (--json lists every question)`);
  }
  return lines.join('\n');
}

/** `polystore eval --source ID FILE.jsonl [--json] [--threshold C]`. */
export function registerEvalCommands(program: Command, ctx: CliContext): void {
  program
    .command('eval')
    .argument('<file>', 'golden questions, one JSON object a line: {id?, question, gold_sql?, rows?, ordered?}')
    .requiredOption('--source <id>', 'the source to ask')
    .option('--threshold <c>', 'answers with a lower confidence count as declined (0 to 1)', confidenceOption)
    .option('--deadline-ms <ms>', 'time allowed per question', intOption)
    .description('Ask golden questions, run only the generated queries (and gold SQL) read-only, and score them: accuracy, outcomes and calibration')
    .action(async (file: string, opts: { source: string; threshold?: number; deadlineMs?: number }, command: Command) => {
      const lines = readLines(file);
      const json = Boolean(ctx.globals(command).json);
      // Its progress arrives as engine events, so this command runs in-process (not through an unlock session).
      const engine = await ctx.engine(command);
      await ctx.unlock(command);
      const [summaryFormat, { newId }] = await Promise.all([import('../../../engine/eval/summary'), import('../../../engine/ids')]);
      const evalId = newId('evl');
      // Under --json each question is printed as soon as it is scored, so a long run shows its progress.
      const printed = new Set<number>();
      const print = (record: EvalRecord) => {
        if (printed.has(record.line)) return;
        printed.add(record.line);
        ctx.io.stdout(JSON.stringify(record) + '\n');
      };
      const unsubscribe = json
        ? engine.events.subscribe((name, payload) => {
            const progress = payload as { evalId: string; record: EvalRecord };
            if (name === 'eval.progress' && progress.evalId === evalId) print(progress.record);
          })
        : () => {};
      const interrupt = () => void ctx.call(command, 'eval.cancel', { evalId }).catch(() => {});
      process.once('SIGINT', interrupt);
      try {
        const report = await ctx.call(command, 'eval.run', {
          sourceId: opts.source,
          lines,
          evalId,
          ...(opts.threshold !== undefined ? { threshold: opts.threshold } : {}),
          ...(opts.deadlineMs !== undefined ? { questionDeadlineMs: opts.deadlineMs } : {}),
        });
        if (json) {
          report.records.forEach(print);
          ctx.io.stdout(JSON.stringify({ evalId: report.evalId, sourceId: report.sourceId, summary: report.summary }) + '\n');
        } else ctx.io.stdout(describeEval(report, summaryFormat) + '\n');
      } finally {
        process.removeListener('SIGINT', interrupt);
        unsubscribe();
      }
    });
}
