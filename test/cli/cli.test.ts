// The real CLI (bin/cs-audit.js → dist/), run as a user runs it: exit codes, stdout/stderr, colour.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SAMPLE = 'samples/tmall/chat-2026-11.csv';
const tmp = mkdtempSync(path.join(tmpdir(), 'cs-audit-cli-'));

interface Result {
  exitCode: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], options: { env?: Record<string, string>; input?: string } = {}): Result {
  const env: Record<string, string> = { ...process.env } as Record<string, string>;
  delete env.FORCE_COLOR;
  delete env.NO_COLOR;
  // The table's language follows LANG: these tests read English.
  env.LANG = 'C.UTF-8';
  env.LC_ALL = '';
  const r = spawnSync(process.execPath, ['bin/cs-audit.js', ...args], {
    cwd: ROOT,
    env: { ...env, ...options.env },
    input: options.input ?? '',
    encoding: 'utf8',
  });
  return { exitCode: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function tmpFile(name: string, content: string): string {
  const p = path.join(tmp, name);
  writeFileSync(p, content);
  return p;
}

const ESC = '\u001b[';

describe('usage errors exit 2 with one clear message on stderr', () => {
  const cases: { name: string; args: string[]; stderr: string }[] = [
    { name: 'no arguments', args: [], stderr: 'Usage: cs-audit' },
    { name: 'no platform', args: ['run', SAMPLE], stderr: 'missing --platform' },
    { name: 'unknown platform', args: ['run', '--platform', 'amazon', SAMPLE], stderr: 'unknown platform "amazon" (built-in: kuaishou, pinduoduo, suning, taojiji, tmall, xiaohongshu' },
    { name: 'unknown option', args: ['run', '--platform', 'tmall', '--colour', SAMPLE], stderr: "unknown option '--colour'" },
    { name: 'bad format', args: ['run', '-p', 'tmall', '--format', 'xml', SAMPLE], stderr: 'Allowed choices are table, json, csv, markdown, html' },
    { name: 'bad --fail-on', args: ['run', '-p', 'tmall', '--fail-on', 'sometimes', SAMPLE], stderr: 'Allowed choices are fail, penalty, fine' },
    { name: 'no files', args: ['run', '-p', 'tmall'], stderr: 'no input: give chat files' },
    { name: 'missing file', args: ['run', '-p', 'tmall', 'nope.csv'], stderr: 'nope.csv: no such file' },
    { name: 'bad --from', args: ['run', '-p', 'tmall', '--from', '2026-02-30', SAMPLE], stderr: '--from "2026-02-30" is not a date' },
    { name: '--from after --to', args: ['run', '-p', 'tmall', '--from', '2026-11-04', '--to', '2026-11-02', SAMPLE], stderr: 'is after --to' },
    { name: 'bad --tz', args: ['run', '-p', 'tmall', '--tz', 'Beijing', SAMPLE], stderr: '--tz "Beijing" is not a known time zone' },
    { name: '--out in a missing directory', args: ['run', '-p', 'tmall', '--out', 'no/such/dir/r.json', SAMPLE], stderr: 'cannot write --out no/such/dir/r.json: no such directory' },
    { name: 'both --platform and --rules', args: ['run', '-p', 'tmall', '--rules', 'platforms/tmall.json', SAMPLE], stderr: 'either --platform or --rules' },
  ];
  it.each(cases)('$name', ({ args, stderr }) => {
    const r = cli(args);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(stderr);
  });

  it('a header without a required column names the file and the column', () => {
    const p = tmpFile('nobuyer.csv', 'time,customer,sender\n2026-11-02 10:00:00,b1,buyer\n');
    const r = cli(['run', '-p', 'tmall', p]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toBe(`cs-audit: ${p}: the header has no "buyer" column (required: time, buyer, sender; found: time, customer, sender); name your columns with --map field=header,... or pick a format with --input-format\n`);
  });

  it('an invalid --rules pack names the file, the field and the problem', () => {
    const pack = JSON.parse(readFileSync(path.join(ROOT, 'platforms/tmall.json'), 'utf8'));
    pack.versions[0].metrics[0].threshold_seconds.value = 'three minutes';
    delete pack.versions[0].metrics[1].target;
    const p = tmpFile('bad-pack.json', JSON.stringify(pack));
    const r = cli(['run', '--rules', p, SAMPLE]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain(`${p}: invalid rule pack:`);
    expect(r.stderr).toContain('versions[0].metrics[0].threshold_seconds.value: must be integer');
    expect(r.stderr).toContain('versions[0].metrics[1]: missing "target"');
  });
});

describe('a reader that stops early', () => {
  it('cs-audit run … | head: the closed pipe ends the run quietly (no stack trace on stderr)', () => {
    const log = path.join(tmp, 'early-reader.csv');
    execFileSync(process.execPath, [path.join(ROOT, 'bench/generate.mjs'), '20000', log], { stdio: 'ignore' });
    // Megabytes of JSON into a reader that takes 100 bytes and leaves.
    const r = spawnSync('sh', ['-c', `"${process.execPath}" bin/cs-audit.js run --platform tmall --format json --details "${log}" | head -c 100 >/dev/null; echo "exit $?"`], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.stderr).not.toContain('EPIPE');
    expect(r.stderr).not.toContain('Unhandled');
    expect(r.stdout.trim()).toBe('exit 0');
  });
});

describe('help and version', () => {
  it('--help documents the exit codes with examples, exit 0', () => {
    const r = cli(['run', '--help']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('Exit status:');
    expect(r.stdout).toContain('cs-audit run --platform tmall logs.csv');
  });
  it('--version prints the version, exit 0', () => {
    const r = cli(['--version']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('cs-audit run --platform tmall on the sample', () => {
  it('prints the per-day and per-agent tables, plain when piped', () => {
    const r = cli(['run', '--platform', 'tmall', SAMPLE]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain('3分钟人工响应率 3-minute manual response rate');
    expect(r.stdout).toContain('│ 2026-11-03 │ 107      │ 64     │ 0       │ 59.81% │ 72.02% (157/218, 2d*) │ FAIL   │');
    expect(r.stdout).toContain('云朵家居旗舰店:阿强');
    expect(r.stdout).toContain('Totals: fines 0 CNY, points 0, warnings 4, restrictions 0');
    expect(r.stdout).not.toContain(ESC);
  });

  it('colours pass/fail when forced, and NO_COLOR wins over FORCE_COLOR', () => {
    expect(cli(['run', '-p', 'tmall', SAMPLE], { env: { FORCE_COLOR: '1' } }).stdout).toContain(ESC);
    expect(cli(['run', '-p', 'tmall', SAMPLE], { env: { FORCE_COLOR: '1', NO_COLOR: '1' } }).stdout).not.toContain(ESC);
  });

  it('--format json gives the expected report (samples/tmall/expected-report.json)', () => {
    const r = cli(['run', '--platform', 'tmall', '--format', 'json', SAMPLE]);
    expect(r.exitCode).toBe(0);
    const actual = JSON.parse(r.stdout);
    const expected = JSON.parse(readFileSync(path.join(ROOT, 'samples/tmall/expected-report.json'), 'utf8'));
    delete actual.generator;
    delete expected.generator;
    expect(actual).toEqual(expected);
  });

  it('the JSON report carries the hand-worked numbers of samples/tmall/README.md', () => {
    const report = JSON.parse(cli(['run', '-p', 'tmall', '-f', 'json', SAMPLE]).stdout);
    expect(report.schema).toBe('cs-audit/report@1');
    expect(report.rules).toMatchObject({ platform: 'tmall', version: '2023-03-05' });
    expect(report.period).toEqual({ from: '2026-11-02', to: '2026-11-04' });
    const [response, satisfaction] = report.metrics;
    expect(response.days.map((d: { eligible: number; passed: number; pending: number; status: string }) => [d.eligible, d.passed, d.pending, d.status])).toEqual([
      [111, 93, 0, 'pass'],
      [107, 64, 0, 'fail'],
      [103, 93, 1, 'fail'],
    ]);
    expect(response.days[0].excluded).toEqual({ abusive: 1, blacklisted: 1, bot: 1, outside_window: 2, zero_second: 1 });
    expect(response.total).toMatchObject({ eligible: 321, passed: 250, pending: 1, rate: 0.7788 });
    expect(satisfaction.days.map((d: { window: { eligible: number; passed: number } }) => [d.window.eligible, d.window.passed])).toEqual([
      [34, 27],
      [66, 46],
      [96, 66],
    ]);
    expect(report.shops[0].messages.excluded).toEqual({
      'flag:ad_account': 1,
      'flag:cheating': 1,
      'flag:disabled_account': 1,
      internal_chatter: 2,
      merchant_conversation: 1,
      recalled: 1,
      'sender:platform': 1,
      'type:faq_click': 1,
      'type:red_packet': 1,
      'type:system': 1,
    });
    expect(report.penalties.map((p: { date: string; metric: string; kind: string }) => `${p.date} ${p.metric} ${p.kind}`)).toEqual([
      '2026-11-03 response_3min warning',
      '2026-11-03 satisfaction warning',
      '2026-11-04 response_3min warning',
      '2026-11-04 satisfaction warning',
    ]);
    expect(report.totals).toEqual({ fines_cny: 0, points: 0, warnings: 4, restrictions: 0 });
  });

  it('reads standard input with -', () => {
    const r = cli(['run', '-p', 'tmall', '-f', 'json', '-'], { input: readFileSync(path.join(ROOT, SAMPLE), 'utf8') });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(r.stdout).totals.warnings).toBe(4);
  });

  it('--out writes the report to a file and nothing to stdout', () => {
    const out = path.join(tmp, 'report.json');
    const r = cli(['run', '-p', 'tmall', '-f', 'json', '--out', out, SAMPLE]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toBe('');
    expect(JSON.parse(readFileSync(out, 'utf8')).schema).toBe('cs-audit/report@1');
  });

  it('--from/--to narrow the days reported', () => {
    const report = JSON.parse(cli(['run', '-p', 'tmall', '-f', 'json', '--from', '2026-11-04', SAMPLE]).stdout);
    expect(report.metrics[0].days.map((d: { date: string }) => d.date)).toEqual(['2026-11-04']);
    expect(report.metrics[0].days[0].window).toMatchObject({ eligible: 321, passed: 250 });
  });
});

describe('--fail-on sets exit 1 when the report has it', () => {
  it.each([
    ['fail', 1],
    ['penalty', 1],
    ['fine', 0],
  ])('--fail-on %s → exit %i on the sample (failing windows, 4 warnings, no fine)', (what, code) => {
    const r = cli(['run', '-p', 'tmall', '-f', 'json', '--fail-on', String(what), SAMPLE]);
    expect(r.exitCode).toBe(code);
    expect(JSON.parse(r.stdout).schema).toBe('cs-audit/report@1');
  });

  it('--fail-on fail → exit 0 when every status passes or is n/a', () => {
    const p = tmpFile('ok.csv', 'time,buyer,sender,agent\n2026-11-02 10:00:00,b1,buyer,\n2026-11-02 10:01:00,b1,agent,s:a\n');
    expect(cli(['run', '-p', 'tmall', '--fail-on', 'fail', p]).exitCode).toBe(0);
  });
});

describe('bad rows', () => {
  const p = tmpFile(
    'messy.csv',
    'time,buyer,sender,agent\n2026-11-02 10:00:00,b1,buyer,\n2026-11-31 10:00:00,b1,buyer,\n2026-11-02 10:01:00,b1,robot,s:a\n2026-11-02 10:02:00,b1,agent,s:a\n',
  );

  it('are listed on stderr as file:line: reason, counted in the report, and the run goes on', () => {
    const r = cli(['run', '-p', 'tmall', '-f', 'json', p]);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`${p}:3: unreadable time "2026-11-31 10:00:00" (no such date)`);
    expect(r.stderr).toContain(`${p}:4: unknown sender "robot"`);
    expect(r.stderr).toContain('2 bad rows skipped and counted');
    const report = JSON.parse(r.stdout);
    expect(report.input).toMatchObject({ rows: 4, messages: 2, bad_rows: 2 });
  });

  it('--quiet keeps stderr for errors only; the report still counts every bad row', () => {
    const r = cli(['run', '-p', 'tmall', '-f', 'json', '--quiet', '--fail-on', 'fail', p]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout).input.bad_rows).toBe(2);
  });

  it('--strict makes the first one fatal: exit 2, nothing on stdout', () => {
    const r = cli(['run', '-p', 'tmall', '--strict', p]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`cs-audit: ${p}:3: unreadable time "2026-11-31 10:00:00" (no such date) (--strict)\n`);
  });
});

describe('discoverability', () => {
  it('cs-audit platforms lists every pack with its names, metrics, versions and source', () => {
    const r = cli(['platforms']);
    expect(r.exitCode).toBe(0);
    for (const id of ['tmall', 'pinduoduo', 'taojiji', 'xiaohongshu', 'suning', 'kuaishou']) expect(r.stdout).toContain(id);
    expect(r.stdout).toContain('快手小店');
    const json = JSON.parse(cli(['platforms', '--format', 'json']).stdout);
    expect(json.find((p: { id: string }) => p.id === 'suning')).toMatchObject({
      name: { zh: '苏宁易购', en: 'Suning' },
      metrics: ['online_hours', 'first_response_45s', 'response_3min'],
      versions: [
        { version: '2022-06-21', effective: '2022-06-21' },
        { version: '2023-12-21', effective: '2023-12-21' },
      ],
    });
  });

  it('cs-audit rules <platform> prints the rules in force, by date', () => {
    const latest = cli(['rules', 'suning']);
    expect(latest.exitCode).toBe(0);
    expect(latest.stdout).toContain('rules in force from 2023-12-21');
    expect(latest.stdout).toContain('response_3min');
    expect(latest.stdout).toContain('after 3 in a row:');
    const before = cli(['rules', 'suning', '--date', '2023-01-01']);
    expect(before.stdout).toContain('rules in force from 2022-06-21');
    expect(before.stdout).not.toContain('response_3min');
    const xhs = cli(['rules', 'xiaohongshu']);
    expect(xhs.stdout).toContain('ASSUMED');
    expect(xhs.stdout).toContain('T-7..T-1');
    expect(cli(['rules', 'amazon']).exitCode).toBe(2);
    expect(cli(['rules']).stderr).toContain('give a platform id or --rules FILE');
  });
});

describe('cs-audit inspect', () => {
  it('explains each file: log kind, encoding, layout, profile, header mapping, rows, first messages, accounting', async () => {
    const iconv = (await import('iconv-lite')).default;
    const zh = tmpFile('zh-export.csv', '');
    writeFileSync(zh, iconv.encode('发送时间;买家昵称;角色;消息内容\n2026-11-02 10:00:00;小王;买家;在吗\n2026-11-02 10:01:00;小王;客服;在的\n2026-13-02 10:02:00;小王;买家;坏时间\n', 'gbk'));
    const r = cli(['inspect', '--format', 'json', '--platform', 'tmall', zh]);
    expect(r.exitCode).toBe(0);
    const [f] = JSON.parse(r.stdout);
    expect(f).toMatchObject({
      file: zh,
      log: 'chat',
      encoding: 'gb18030',
      layout: 'csv, separator ";"',
      profile: 'zh-csv',
      mapping: { 发送时间: 'time', 买家昵称: 'buyer', 角色: 'sender', 消息内容: 'content' },
      rows: 3,
      messages: 2,
      bad_rows: 1,
      accounting: { used: 2, excluded: {}, bad_rows: 1 },
    });
    expect(f.first_messages[0]).toMatchObject({ line: 2, time: '2026-11-02 10:00:00', buyer: '小王', sender: 'buyer', content: '在吗' });
    expect(f.first_bad_rows[0]).toMatchObject({ line: 4 });
    const text = cli(['inspect', zh]).stdout;
    expect(text).toContain('profile     zh-csv');
    expect(text).toContain('发送时间 → time');
  });

  it('a file it cannot read says why and what to do, and the others are still explained', () => {
    const bad = tmpFile('notes.json', JSON.stringify([{ title: 'not a log' }]));
    const r = cli(['inspect', bad, SAMPLE]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('--input-format or --map can say how to read it');
    expect(r.stdout).toContain('rows        846: 846 messages, 0 bad rows');
  });
});

describe('cs-audit explain', () => {
  it('traces a failed round from the table to its messages, with each message counted or excluded and why', () => {
    const r = cli(['explain', '-p', 'tmall', SAMPLE, '--buyer', 'jenny_0921', '--date', '2026-11-02']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('2026-11-02 10:10:15  buyer → 云朵家居旗舰店:阿强');
    expect(r.stdout).toContain('round opened 2026-11-02 10:10:15, 2 buyer message(s), reply 2026-11-02 10:18:10 → FAILED — first reply after 475 s');
    expect(r.stdout).not.toContain('2026-11-03');
    const recalled = cli(['explain', '-p', 'tmall', SAMPLE, '--buyer', 'wang_xm']).stdout;
    expect(recalled).toContain('excluded: recalled');
    const bot = cli(['explain', '-p', 'tmall', SAMPLE, '--buyer', 'sunny_day']).stdout;
    expect(bot).toContain('→ not counted (bot)');
  });

  it('--mask-buyers hides the buyer id in the trace but finds the buyer by real id', () => {
    const r = cli(['explain', '-p', 'tmall', SAMPLE, '--buyer', 'jenny_0921', '--date', '2026-11-02', '--mask-buyers']);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain('round opened 2026-11-02 10:10:15');
    expect(r.stdout).not.toContain('jenny_0921');
  });

  it('a round still open when the data ends is listed after every message, and --date of another day leaves it out', () => {
    const log = tmpFile('open.csv', 'time,buyer,sender,content\n2026-11-02 10:00:00,b1,buyer,hi\n2026-11-03 10:00:00,b2,buyer,yo\n2026-11-03 10:01:00,b2,agent,ok\n');
    const open = cli(['explain', '-p', 'tmall', log, '--buyer', 'b1']);
    expect(open.exitCode).toBe(0);
    expect(open.stdout.trim().split('\n').at(-1)).toContain('round opened 2026-11-02 10:00:00, 1 buyer message(s), still open when the data ends');
    const other = cli(['explain', '-p', 'tmall', log, '--buyer', 'b1', '--date', '2026-11-03']);
    expect(other.exitCode).toBe(0);
    expect(other.stdout).toContain('No messages of buyer "b1" on 2026-11-03');
  });

  it('an unknown buyer says so; a missing --buyer is a usage error', () => {
    expect(cli(['explain', '-p', 'tmall', SAMPLE, '--buyer', 'nobody']).stdout).toContain('No messages of buyer "nobody"');
    expect(cli(['explain', '-p', 'tmall', SAMPLE]).exitCode).toBe(2);
  });
});
