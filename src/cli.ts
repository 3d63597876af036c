import { closeSync, constants, fstatSync, openSync, rmSync, writeSync } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
import { audit } from './audit.js';
import { formatInspection, inspect } from './inspect.js';
import { explain, formatExplanation } from './explain.js';
import { mergeReportFiles } from './merge.js';
import { InputError, systemError } from './errors.js';
import { parseEncoding } from './ingest/encoding.js';
import { parseHeaderMap, parseProfileName, PROFILE_NAMES } from './ingest/profiles.js';
import { failOnTriggered, FAIL_ON, type FailOn } from './fail-on.js';
import { paletteFor, PLAIN } from './report/colors.js';
import { FORMATS } from './report/formats/index.js';
import { langFrom } from './report/labels.js';
import { maskBuyer } from './report/mask.js';
import { formatPlatforms, formatRules, summarize } from './report/formats/rules.js';
import { builtInPlatforms, loadBuiltInPack, loadPackFile } from './rules/load-pack.js';
import { RuleSet } from './rules/rule-set.js';
import { isoToDay } from './time/zone.js';
import type { Report } from './report/model.js';
import { VERSION } from './version.js';
import type cliProgress from 'cli-progress';
import { loadOnUse } from './load-on-use.js';
import type { ProgressSink } from './ingest/read-chat.js';

/** Only a terminal shows a progress bar: cron jobs and CI never load it. */
const loadProgressBars = loadOnUse<typeof cliProgress>('cli-progress');

export interface CliIO {
  stdin: Readable;
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export const EXIT = { ok: 0, failOn: 1, usage: 2 } as const;

const MAX_BAD_ROWS_ON_STDERR = 20;

interface RunFlags {
  platform?: string;
  lang?: string;
  quiet?: boolean;
  bom?: boolean;
  details?: boolean;
  maskBuyers?: boolean;
  maskSalt?: string;
  encoding?: string;
  inputFormat?: string;
  map?: string;
  presence: string[];
  reviews: string[];
  rules?: string;
  format: string;
  out?: string;
  tz?: string;
  from?: string;
  to?: string;
  strict?: boolean;
  failOn?: FailOn;
  shop: string[];
  shopFolders?: boolean;
  history?: string;
  covers?: string;
  conduct?: boolean;
}

const EXIT_HELP = `
Exit status:
  0  the run completed (violations or not, unless --fail-on says otherwise)
  1  the run completed and found what --fail-on names
  2  usage or input error: nothing was audited

Examples:
  cs-audit run --platform tmall logs.csv
  cs-audit run --platform tmall --format json --out report.json day1.csv day2.csv
  cat logs.ndjson | cs-audit run --platform tmall --fail-on fail -
`;

function showRules(platform: string | undefined, flags: { rules?: string; date?: string }, io: CliIO): number {
  try {
    if ((platform === undefined) === (flags.rules === undefined)) {
      throw new InputError('give a platform id or --rules FILE (run cs-audit platforms for the list)');
    }
    const pack = flags.rules === undefined ? loadBuiltInPack(platform!) : loadPackFile(flags.rules);
    const rules = new RuleSet(pack);
    let version = pack.versions.at(-1)!;
    if (flags.date !== undefined) {
      const day = isoToDay(flags.date);
      if (day === null) throw new InputError(`--date "${flags.date}" is not a date (use YYYY-MM-DD)`);
      version = rules.versionAt(day);
    }
    io.stdout.write(formatRules(pack, version, paletteFor(io.stdout, io.env)));
    return EXIT.ok;
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr.write(`cs-audit: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
}

/** --covers DAY or FROM..TO (checked as dates by the audit). */
function parseCovers(value: string): { from: string; to: string } {
  const [from, to, ...rest] = value.split('..');
  if (rest.length > 0 || from === undefined || from === '') throw new InputError(`--covers "${value}": use YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD`);
  return { from, to: to ?? from };
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** The whole command line, testable in-process: returns the exit status, never calls process.exit. */
export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('cs-audit')
    .description('Audit customer-service chat logs against an e-commerce platform\'s rules.')
    .version(VERSION)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .showHelpAfterError('(run cs-audit --help for usage)')
    .addHelpText('after', EXIT_HELP);

  program
    .command('run')
    .description('audit chat logs and print the report')
    .argument('[files...]', 'chat-log files (CSV, JSON, NDJSON); - reads standard input')
    .option('-p, --platform <id>', 'built-in platform rule pack (e.g. tmall)')
    .option('--rules <file>', 'your own rule pack (same format as platforms/*.json), instead of --platform')
    .addOption(new Option('-f, --format <format>', 'output format').choices(Object.keys(FORMATS)).default('table'))
    .option('-o, --out <file>', 'write the report to this file instead of standard output')
    .option('--presence <file>', 'presence log (online/offline status changes), for online-time metrics; repeatable', collect, [])
    .option('--reviews <file>', 'review log (reviews and reply times), for review-reply metrics; repeatable', collect, [])
    .option('--shop <name>', 'audit only this shop (repeatable); rows of other shops are counted, not audited', collect, [])
    .option('--shop-folders', 'each first-level folder of a directory (or zip) argument is one shop: rows without a shop column belong to it')
    .option('--no-conduct', 'do not check what agents write (conduct findings, RULES.md §8)')
    .option('--history <file>', 'history store (SQLite): continue from the days it holds, record this run\'s days into it')
    .option('--covers <days>', 'the days this input is the complete log of (a day without rows was quiet), YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD; rows of other days are counted, not audited (with --history, default: the input\'s first to last day)')
    .option('--input-format <profile>', `how to read chat files: ${PROFILE_NAMES.join(', ')} (default: detected per file)`)
    .option('--map <pairs>', 'map your own headers: field=header,... (e.g. time=发送时间,buyer=顾客)')
    .option('--encoding <name>', 'input encoding: utf-8, utf-16le, utf-16be, gb18030, gbk (default: detected per file)')
    .option('--tz <zone>', "time zone of local times in the input (default: the platform's)")
    .option('--from <date>', 'first day to report, YYYY-MM-DD (earlier input still feeds rolling windows)')
    .option('--to <date>', 'last day to report, YYYY-MM-DD')
    .option('--strict', 'stop at the first bad row instead of counting it')
    .addOption(new Option('--lang <lang>', 'language of table, markdown and html: zh or en (default: from LANG)').choices(['zh', 'en']))
    .option('-q, --quiet', 'print nothing on stderr but errors (for cron)')
    .option('--details', 'list every failed and pending item with its evidence (buyer, times, delay, agent, clause)')
    .option('--bom', 'CSV: begin with a byte-order mark (for Excel)')
    .option('--mask-buyers', 'replace buyer ids with stable pseudonyms in every output')
    .option('--mask-salt <secret>', 'secret mixed into the pseudonyms (default: CS_AUDIT_MASK_SALT)')
    .addOption(new Option('--fail-on <what>', 'exit 1 when the report has it').choices(FAIL_ON))
    .addHelpText('after', EXIT_HELP)
    .action(async (files: string[], flags: RunFlags) => {
      exitCode = await run(files, flags, io);
    });

  program
    .command('merge')
    .description('combine the JSON reports of jobs that audited different shops (shards) into one portfolio report')
    .argument('<reports...>', 'JSON reports written by cs-audit run --format json')
    .addOption(new Option('-f, --format <format>', 'output format').choices(Object.keys(FORMATS)).default('table'))
    .option('-o, --out <file>', 'write the report to this file instead of standard output')
    .addOption(new Option('--lang <lang>', 'language of table, markdown and html: zh or en (default: from LANG)').choices(['zh', 'en']))
    .option('--bom', 'CSV: begin with a byte-order mark (for Excel)')
    .addOption(new Option('--fail-on <what>', 'exit 1 when the merged report has it').choices(FAIL_ON))
    .addHelpText('after', EXIT_HELP)
    .action(async (files: string[], flags: MergeFlags) => {
      exitCode = await mergeCommand(files, flags, io);
    });

  program
    .command('explain')
    .description('print one buyer\'s conversation message by message: counted or excluded (and why), rounds and sessions with their verdicts')
    .argument('<files...>', 'chat-log files; - reads standard input')
    .requiredOption('--buyer <id>', 'the buyer whose conversation to show')
    .option('-p, --platform <id>', 'built-in platform rule pack')
    .option('--rules <file>', 'your own rule pack instead')
    .option('--date <date>', 'only this local day (YYYY-MM-DD)')
    .option('--tz <zone>', 'time zone of local times in the input')
    .option('--input-format <profile>', 'force an import profile')
    .option('--map <pairs>', 'map your own headers: field=header,...')
    .option('--encoding <name>', 'force the encoding')
    .option('--mask-buyers', 'show the buyer as its stable pseudonym')
    .option('--mask-salt <secret>', 'secret mixed into the pseudonym (default: CS_AUDIT_MASK_SALT)')
    .action(
      async (
        files: string[],
        flags: { buyer: string; platform?: string; rules?: string; date?: string; tz?: string; inputFormat?: string; map?: string; encoding?: string; maskBuyers?: boolean; maskSalt?: string },
      ) => {
        try {
          if ((flags.platform === undefined) === (flags.rules === undefined)) throw new InputError('give --platform <id> or --rules FILE');
          if (flags.date !== undefined && isoToDay(flags.date) === null) throw new InputError(`--date "${flags.date}" is not a date (use YYYY-MM-DD)`);
          const result = await explain({
            buyer: flags.buyer,
            platform: flags.platform ?? null,
            rulesFile: flags.rules ?? null,
            inputs: files,
            tz: flags.tz ?? null,
            from: null,
            to: null,
            strict: false,
            stdin: io.stdin,
            encoding: flags.encoding === undefined ? null : parseEncoding(flags.encoding),
            inputFormat: flags.inputFormat === undefined ? null : parseProfileName(flags.inputFormat),
            headerMap: flags.map === undefined ? null : parseHeaderMap(flags.map),
          });
          io.stdout.write(formatExplanation(result, flags.date ?? null, flags.maskBuyers === true ? maskBuyer(flags.buyer, flags.maskSalt ?? io.env.CS_AUDIT_MASK_SALT ?? '') : flags.buyer));
        } catch (err) {
          if (!(err instanceof InputError)) throw err;
          io.stderr.write(`cs-audit: ${err.message}\n`);
          exitCode = EXIT.usage;
        }
      },
    );

  program
    .command('inspect')
    .description('show what cs-audit understands of each file: encoding, layout, profile, header mapping, rows, first messages')
    .argument('<files...>', 'chat-log files, directories or zip archives; - reads standard input')
    .option('-p, --platform <id>', 'also account for every row under this platform\'s exclusions')
    .option('--input-format <profile>', `force an import profile: ${PROFILE_NAMES.join(', ')}`)
    .option('--map <pairs>', 'map your own headers: field=header,...')
    .option('--encoding <name>', 'force the encoding')
    .option('--tz <zone>', 'time zone of local times (default Asia/Shanghai)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action(async (files: string[], flags: { platform?: string; inputFormat?: string; map?: string; encoding?: string; tz?: string; format: string }) => {
      try {
        const result = await inspect({
          inputs: files,
          stdin: io.stdin,
          encoding: flags.encoding === undefined ? null : parseEncoding(flags.encoding),
          inputFormat: flags.inputFormat === undefined ? null : parseProfileName(flags.inputFormat),
          headerMap: flags.map === undefined ? null : parseHeaderMap(flags.map),
          tz: flags.tz ?? null,
          platform: flags.platform ?? null,
        });
        io.stdout.write(flags.format === 'json' ? `${JSON.stringify(result, null, 2)}\n` : formatInspection(result));
      } catch (err) {
        if (!(err instanceof InputError)) throw err;
        io.stderr.write(`cs-audit: ${err.message}\n`);
        exitCode = EXIT.usage;
      }
    });

  program
    .command('platforms')
    .description('list the built-in platform rule packs')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'))
    .action((flags: { format: string }) => {
      const packs = builtInPlatforms().map((id) => loadBuiltInPack(id));
      io.stdout.write(
        flags.format === 'json'
          ? `${JSON.stringify(packs.map(summarize), null, 2)}\n`
          : formatPlatforms(packs, paletteFor(io.stdout, io.env)),
      );
    });

  program
    .command('rules')
    .description('print the rules in force for a platform: windows, thresholds, exclusions, penalties, interpretations')
    .argument('[platform]', 'built-in platform id')
    .option('--rules <file>', 'a rule pack file instead of a built-in platform')
    .option('--date <date>', 'the rules in force on this day (YYYY-MM-DD; default: the latest version)')
    .action((platform: string | undefined, flags: { rules?: string; date?: string }) => {
      exitCode = showRules(platform, flags, io);
    });

  try {
    if (argv.length === 0) {
      program.outputHelp({ error: true });
      return EXIT.usage;
    }
    await program.parseAsync([...argv], { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    return internalError(err, io);
  }
  return exitCode;
}

/** A bug, not the user's input: say so, with what is needed to report it. Nothing was audited. */
function internalError(err: unknown, io: CliIO): number {
  io.stderr.write(`cs-audit: internal error (a bug in cs-audit ${VERSION}; please report it with the command line):\n`);
  io.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  return EXIT.usage;
}

async function run(files: string[], flags: RunFlags, io: CliIO): Promise<number> {
  if (flags.platform !== undefined && flags.rules !== undefined) {
    io.stderr.write('cs-audit: give either --platform or --rules, not both\n');
    return EXIT.usage;
  }
  if (flags.platform === undefined && flags.rules === undefined) {
    io.stderr.write('cs-audit: missing --platform <id> (or --rules FILE)\n');
    return EXIT.usage;
  }
  if (!(await outWritable(flags.out, io))) return EXIT.usage;
  let report: Report;
  try {
    report = await audit({
      platform: flags.platform ?? null,
      rulesFile: flags.rules ?? null,
      inputs: files,
      presence: flags.presence,
      progress: flags.quiet === true ? null : progressFor(io),
      details: flags.details === true,
      maskBuyers: flags.maskBuyers === true,
      maskSalt: flags.maskSalt ?? io.env.CS_AUDIT_MASK_SALT ?? '',
      encoding: flags.encoding === undefined ? null : parseEncoding(flags.encoding),
      inputFormat: flags.inputFormat === undefined ? null : parseProfileName(flags.inputFormat),
      headerMap: flags.map === undefined ? null : parseHeaderMap(flags.map),
      reviews: flags.reviews,
      shops: flags.shop,
      history: flags.history ?? null,
      conduct: flags.conduct !== false,
      covers: flags.covers === undefined ? null : parseCovers(flags.covers),
      shopFolders: flags.shopFolders === true,
      tz: flags.tz ?? null,
      from: flags.from ?? null,
      to: flags.to ?? null,
      strict: flags.strict === true,
      stdin: io.stdin,
    });
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr.write(`cs-audit: ${err.message}\n`);
      return EXIT.usage;
    }
    return internalError(err, io);
  }

  if (flags.quiet !== true) {
    reportBadRows(report, io);
    for (const notice of report.history?.notices ?? []) io.stderr.write(`cs-audit: ${notice}\n`);
  }
  return emit(report, flags, io);
}

interface OutputFlags {
  format: string;
  out?: string;
  lang?: string;
  bom?: boolean;
  details?: boolean;
  quiet?: boolean;
  failOn?: FailOn;
}

/** The report in the chosen format to stdout or --out, then --fail-on's verdict. */
async function emit(report: Report, flags: OutputFlags, io: CliIO): Promise<number> {
  const toFile = flags.out !== undefined;
  const palette = toFile ? PLAIN : paletteFor(io.stdout, io.env);
  const text = FORMATS[flags.format]!(report, { palette, bom: flags.bom === true, lang: langFrom(flags.lang, io.env), details: flags.details === true });
  const pieces = typeof text === 'string' ? [text] : text;
  if (toFile) {
    const cannot = (err: unknown): number => {
      io.stderr.write(`cs-audit: cannot write ${flags.out}: ${(err as NodeJS.ErrnoException).code ?? String(err)}\n`);
      return EXIT.usage;
    };
    let fd: number;
    try {
      fd = openSync(flags.out!, 'w');
    } catch (err) {
      return cannot(err);
    }
    try {
      // Written synchronously, piece by piece: an awaited write each cost 0.45 s on 500 shops' report.
      for (const piece of pieces) {
        const bytes = Buffer.from(piece);
        for (let at = 0; at < bytes.length; ) at += writeSync(fd, bytes, at);
      }
    } catch (err) {
      // No half a report left behind as if it were one (a full disk, or a bug making a piece).
      if (fstatSync(fd).isFile()) rmSync(flags.out!, { force: true });
      closeSync(fd);
      if (systemError(err)) return cannot(err);
      throw err;
    }
    closeSync(fd);
  } else {
    for (const piece of pieces) io.stdout.write(piece);
  }
  if (flags.failOn !== undefined && failOnTriggered(report, flags.failOn)) {
    if (flags.quiet !== true) io.stderr.write(`cs-audit: --fail-on ${flags.failOn}: the report has ${describeFailOn(flags.failOn)}\n`);
    return EXIT.failOn;
  }
  return EXIT.ok;
}

type MergeFlags = OutputFlags;

async function mergeCommand(files: string[], flags: MergeFlags, io: CliIO): Promise<number> {
  if (!(await outWritable(flags.out, io))) return EXIT.usage;
  let report: Report;
  try {
    report = await mergeReportFiles(files);
  } catch (err) {
    if (err instanceof InputError) {
      io.stderr.write(`cs-audit: ${err.message}\n`);
      return EXIT.usage;
    }
    return internalError(err, io);
  }
  return emit(report, flags, io);
}

/**
 * A progress bar on stderr (files, rows, rows/s) when stderr is a terminal and the input is large;
 * nothing otherwise (cron, CI, pipes).
 */
function progressFor(io: CliIO): ProgressSink | null {
  if (io.stderr.isTTY !== true || io.env.CI === 'true') return null;
  let bar: cliProgress.SingleBar | null = null;
  const started = Date.now();
  return {
    update(file: string, rows: number, bytes: number) {
      if (bar === null) {
        if (bytes < PROGRESS_FROM_BYTES) return;
        const progressBars = loadProgressBars();
        bar = new progressBars.SingleBar(
          { stream: io.stderr as unknown as NodeJS.WritableStream, format: 'reading {file} | {value} rows | {speed} rows/s', hideCursor: true, clearOnComplete: true },
          progressBars.Presets.shades_classic,
        );
        bar.start(0, 0, { file, speed: 0 });
      }
      const seconds = Math.max(0.001, (Date.now() - started) / 1000);
      bar.update(rows, { file, speed: Math.round(rows / seconds) });
    },
    done() {
      bar?.stop();
    },
  };
}

const PROGRESS_FROM_BYTES = 50 * 1024 * 1024;

/** --out checked before anything is audited: false (and said on stderr) when it cannot be written. */
async function outWritable(out: string | undefined, io: CliIO): Promise<boolean> {
  if (out === undefined) return true;
  const problem = await unwritable(out);
  if (problem !== null) io.stderr.write(`cs-audit: cannot write --out ${out}: ${problem}\n`);
  return problem === null;
}

/** Why a report file cannot be written there, checked before the audit runs; null when it can. */
async function unwritable(file: string): Promise<string | null> {
  try {
    const info = await stat(file);
    if (info.isDirectory()) return 'it is a directory';
    await access(file, constants.W_OK);
    return null;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return (err as NodeJS.ErrnoException).code ?? String(err);
  }
  try {
    await access(path.dirname(path.resolve(file)), constants.W_OK);
    return null;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? 'no such directory' : (code ?? String(err));
  }
}

function describeFailOn(what: FailOn): string {
  return what === 'fail' ? 'a failing status' : what === 'penalty' ? 'a penalty' : 'a fine';
}

/** Every bad row is counted in the report; the first few are shown as file:line: reason. */
function reportBadRows(report: Report, io: CliIO): void {
  const { errors, bad_rows: count } = report.input;
  if (count === 0) return;
  for (const e of errors.slice(0, MAX_BAD_ROWS_ON_STDERR)) io.stderr.write(`${e.file}:${e.line}: ${e.reason}\n`);
  const shown = Math.min(count, MAX_BAD_ROWS_ON_STDERR);
  const more = count > shown ? ` (${count - shown} more not shown here; the JSON report lists up to ${report.input.errors_listed})` : '';
  io.stderr.write(`cs-audit: ${count} bad row${count === 1 ? '' : 's'} skipped and counted${more}; --strict makes them fatal\n`);
}
