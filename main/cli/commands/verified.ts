import fs from 'node:fs';
import type { Command } from 'commander';
import type { VerifiedAnswer, VerifiedImportReport } from '../../../engine/contract/index';
import { CliError, formatTable, type CliContext } from '../context';

/** A query shown in one table cell. */
const QUERY_CELL_CHARS = 70;

function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function describeList(list: VerifiedAnswer[]): string {
  if (list.length === 0) return 'No verified answers for this source yet. Mark one with `polystore verified add`.';
  return formatTable(['id', 'question', 'query', 'updated'], list.map((v) => [v.id, v.question, oneLine(v.query, QUERY_CELL_CHARS), v.updatedAt]));
}

function describeImport(file: string, r: VerifiedImportReport): string {
  const lines = [`Imported ${file}: ${r.added} added, ${r.skippedDuplicates} already there (skipped), ${r.conflicts.length} kept as they were.`];
  for (const c of r.conflicts) lines.push(`  line ${c.line}: this source already verifies that question with another query (${c.existingId}); remove it first to take the file's`);
  return lines.join('\n');
}

function readFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const missing = (error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new CliError({ code: missing ? 'NOT_FOUND' : 'VALIDATION', message: `Cannot read ${file}: ${(error as Error).message}` });
  }
}

/** Writes the export only to a new file (mode 600), so an existing file is never overwritten by accident. */
function writeNewFile(file: string, text: string): void {
  try {
    fs.writeFileSync(file, text, { encoding: 'utf8', flag: 'wx', mode: 0o600 });
  } catch (error) {
    const exists = (error as NodeJS.ErrnoException).code === 'EEXIST';
    throw new CliError({ code: exists ? 'CONFLICT' : 'VALIDATION', message: exists ? `${file} exists already: choose a new file name.` : `Cannot write ${file}: ${(error as Error).message}` });
  }
}

/** `polystore verified list|add|edit|remove|export|import`: questions with the query a person checked answers them, per source. */
export function registerVerifiedCommands(program: Command, ctx: CliContext): void {
  const verified = program.command('verified').description('Verified answers: questions paired with a query you checked; asking one again proposes that query first');

  verified
    .command('list')
    .requiredOption('--source <id>', 'source id')
    .description("List a source's verified answers")
    .action(async (opts: { source: string }, command: Command) => {
      ctx.print(command, await ctx.call(command, 'verified.list', { sourceId: opts.source }), describeList);
    });

  verified
    .command('add')
    .option('--source <id>', 'source id (with --question and --query)')
    .option('--question <text>', 'the question, as people ask it')
    .option('--query <text>', 'the query that answers it (checked by the guardrail before it is stored)')
    .option('--session <id>', 'the conversation of a query that ran (with --message)')
    .option('--message <id>', 'a query message that was approved and ran successfully')
    .description('Mark a query as the verified answer to a question: one that ran in a conversation (--session, --message), or a question and query (--source, --question, --query)')
    .action(async (opts: { source?: string; question?: string; query?: string; session?: string; message?: string }, command: Command) => {
      const input =
        opts.session && opts.message
          ? { sessionId: opts.session, messageId: opts.message, ...(opts.question ? { question: opts.question } : {}) }
          : opts.source && opts.question && opts.query
            ? { sourceId: opts.source, question: opts.question, query: opts.query }
            : null;
      if (!input) throw new CliError({ code: 'VALIDATION', message: 'Give --session and --message, or --source, --question and --query.' });
      const added = await ctx.call(command, 'verified.add', input);
      ctx.print(command, added, (v) => `Verified ${v.id}: "${v.question}"`);
    });

  verified
    .command('edit')
    .argument('<id>', 'verified answer id')
    .requiredOption('--question <text>', 'the new wording')
    .description("Change a verified answer's question wording (the query stays as verified)")
    .action(async (id: string, opts: { question: string }, command: Command) => {
      ctx.print(command, await ctx.call(command, 'verified.edit', { id, question: opts.question }), (v) => `Verified ${v.id}: "${v.question}"`);
    });

  verified
    .command('remove')
    .argument('<id>', 'verified answer id')
    .description('Remove a verified answer: it is no longer proposed')
    .action(async (id: string, _opts, command: Command) => {
      ctx.print(command, await ctx.call(command, 'verified.remove', { id }), () => `Removed ${id}.`);
    });

  verified
    .command('export')
    .argument('<file>', 'a new file to write (JSON lines), or - for standard output')
    .requiredOption('--source <id>', 'source id')
    .description("Write a source's verified answers as JSON lines (question, query, dialect: no results, no credentials)")
    .action(async (file: string, opts: { source: string }, command: Command) => {
      const exported = await ctx.call(command, 'verified.export', { sourceId: opts.source });
      if (file === '-') {
        ctx.io.stdout(exported.jsonl);
        return;
      }
      writeNewFile(file, exported.jsonl);
      ctx.print(command, { file, count: exported.count }, (r) => `Wrote ${r.count} verified answer${r.count === 1 ? '' : 's'} to ${r.file}.`);
    });

  verified
    .command('import')
    .argument('<file>', 'a JSON lines file written by `verified export`')
    .requiredOption('--source <id>', 'the source to add them to (each query is checked by its guardrail)')
    .description('Add verified answers from a file; a bad or refused line (named by number) imports nothing')
    .action(async (file: string, opts: { source: string }, command: Command) => {
      const report = await ctx.call(command, 'verified.import', { sourceId: opts.source, jsonl: readFile(file) });
      ctx.print(command, report, (r) => describeImport(file, r));
    });
}
