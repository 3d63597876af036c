// Many shops (issue 6): a report per shop with a portfolio summary first, --shop, a folder per
// shop, and shards audited by separate processes combined with `cs-audit merge`.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RatioMetricReport, Report } from '../../src/report/model.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(path.join(tmpdir(), 'cs-audit-shops-'));
const SHOP_A = '云朵家居旗舰店';
const SHOP_B = '星河数码专营店';

function env(): Record<string, string> {
  const e = { ...process.env, LANG: 'C.UTF-8', LC_ALL: '' } as Record<string, string>;
  delete e.FORCE_COLOR;
  return e;
}

function cli(args: string[]): { exitCode: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/cs-audit.js', ...args], { cwd: ROOT, env: env(), encoding: 'utf8' });
  return { exitCode: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** The same CLI as a separate process that runs beside others (a shard job). */
function cliAsync(args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/cs-audit.js', ...args], { cwd: ROOT, env: env(), stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => resolve(code ?? -1));
  });
}

// Two shops in one export: the Tmall sample, and a second shop made from it with every third
// row left out (so the two shops' numbers differ).
const sample = readFileSync(path.join(ROOT, 'samples/tmall/chat-2026-11.csv'), 'utf8').replace(/^\uFEFF/, '');
const [header, ...rows] = sample.trimEnd().split(/\r?\n/);
const second = rows.filter((_, i) => i % 3 !== 0).map((r) => r.replaceAll(SHOP_A, SHOP_B).replace(/^msg/, 'b-msg'));
const twoShops = path.join(tmp, 'two-shops.csv');
writeFileSync(twoShops, [header, ...rows, ...second].join('\n') + '\n');
const onlyB = path.join(tmp, 'only-b.csv');
writeFileSync(onlyB, [header, ...second].join('\n') + '\n');

function json(args: string[]): Report {
  const r = cli([...args, '--format', 'json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

/** What describes the audit itself, without the input accounting (which names files and rows read). */
function audited(r: Report): unknown {
  return { metrics: r.metrics, penalties: r.penalties, totals: r.totals, shops: r.shops, period: r.period, rules: r.rules, data_end: r.input.data_end };
}

describe('several shops in one input (REPORT.md shops: [...])', () => {
  it('reports each shop on its own, exactly as a run over that shop alone', () => {
    const both = json(['run', '--platform', 'tmall', twoShops]);
    expect(both.shops.map((s) => s.shop)).toEqual([SHOP_A, SHOP_B].sort());
    expect(both.metrics).toEqual([]);
    const alone = json(['run', '--platform', 'tmall', onlyB]);
    const b = both.shops.find((s) => s.shop === SHOP_B)!;
    expect(b.metrics).toEqual(alone.shops[0]!.metrics);
    // Penalties of a several-shop report name their shop; the grand totals add up the shops'.
    expect(b.penalties).toEqual(alone.shops[0]!.penalties.map((p) => ({ shop: SHOP_B, ...p })));
    expect(both.totals.fines_cny).toBe(both.shops.reduce((n, s) => n + s.totals.fines_cny, 0));
  });

  it('starts the table with a portfolio summary: one row per shop, key rate vs target, penalties, fines', () => {
    const r = cli(['run', '--platform', 'tmall', twoShops]);
    expect(r.exitCode).toBe(0);
    const portfolio = r.stdout.indexOf('Portfolio: 2');
    expect(portfolio).toBeGreaterThan(0);
    expect(portfolio).toBeLessThan(r.stdout.indexOf(`== Shop`));
    const summary = r.stdout.slice(portfolio, r.stdout.indexOf('== Shop'));
    const report = json(['run', '--platform', 'tmall', twoShops]);
    for (const s of report.shops) {
      const line = summary.split('\n').find((l) => l.includes(s.shop))!;
      expect(line).toContain('tmall');
      const key = s.summary.find((f) => f.metric === 'response_3min')!;
      expect(key.basis).toBe('window');
      expect(line).toContain(`${(key.value! * 100).toFixed(2)}%`);
      expect(line).toContain(`${s.totals.fines_cny} CNY`);
    }
  });

  it('markdown and html start with the portfolio too', () => {
    const md = cli(['run', '--platform', 'tmall', '--format', 'markdown', twoShops]).stdout;
    expect(md.indexOf('## Portfolio')).toBeGreaterThan(0);
    expect(md.indexOf('## Portfolio')).toBeLessThan(md.indexOf(`## ${[SHOP_A, SHOP_B].sort()[0]}`));
    expect(md).toMatch(new RegExp(`\\| ${SHOP_B} \\| tmall \\| [0-9.]+% \\(≥ 80.00%\\)`));
    const html = cli(['run', '--platform', 'tmall', '--format', 'html', twoShops]).stdout;
    expect(html).toContain('<table class="portfolio">');
    expect(html.indexOf('class="portfolio"')).toBeLessThan(html.indexOf('<section class="metric"'));
  });

  it('--shop narrows to one shop; the other shop\'s rows are counted as other_shop, not lost', () => {
    const r = json(['run', '--platform', 'tmall', '--shop', SHOP_B, twoShops]);
    expect(r.shops.map((s) => s.shop)).toEqual([SHOP_B]);
    const f = r.input.files[0]!;
    // Every message of the other shop (bad rows and repeated ids are counted as such).
    const a = json(['run', '--platform', 'tmall', path.join(ROOT, 'samples/tmall/chat-2026-11.csv')]);
    expect(f.excluded!.other_shop).toBe(a.input.messages);
    const excluded = Object.values(f.excluded!).reduce((n, v) => n + v, 0);
    expect(f.used! + excluded + f.bad_rows).toBe(f.rows);
  });

  it('--shop with a shop the input does not hold is a usage error naming the shops found', () => {
    const r = cli(['run', '--platform', 'tmall', '--shop', 'nobody', twoShops]);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--shop nobody: not in the input');
    expect(r.stderr).toContain(SHOP_B);
  });

  it('--shop-folders: each first-level folder is a shop for rows without a shop column', () => {
    const dir = path.join(tmp, 'by-shop');
    const log = (agent: string, delay: string) =>
      `time,buyer,sender,agent,content\n2026-11-02 10:00:00,b1,buyer,${agent},在吗\n2026-11-02 10:${delay},b1,agent,${agent},在的\n`;
    mkdirSync(path.join(dir, 'shopA', '2026-11'), { recursive: true });
    mkdirSync(path.join(dir, 'shopB'), { recursive: true });
    writeFileSync(path.join(dir, 'shopA', '2026-11', 'chat.csv'), log('shopA:amy', '01:00'));
    writeFileSync(path.join(dir, 'shopB', 'chat.csv'), log('shopB:bob', '09:00'));
    const r = json(['run', '--platform', 'tmall', '--shop-folders', dir]);
    expect(r.shops.map((s) => [s.shop, (s.metrics[0] as RatioMetricReport).days[0]!.passed, (s.metrics[0] as RatioMetricReport).days[0]!.eligible])).toEqual([
      ['shopA', 1, 1],
      ['shopB', 0, 1],
    ]);
  });
});

describe('cs-audit merge: shards audited by separate processes', () => {
  it('two processes on two shop sets, merged, give the report of one run over all shops', async () => {
    const a = path.join(tmp, 'shard-a.json');
    const b = path.join(tmp, 'shard-b.json');
    const codes = await Promise.all([
      cliAsync(['run', '--platform', 'tmall', '--shop', SHOP_A, '--format', 'json', '--out', a, twoShops]),
      cliAsync(['run', '--platform', 'tmall', '--shop', SHOP_B, '--format', 'json', '--out', b, twoShops]),
    ]);
    expect(codes).toEqual([0, 0]);
    const merged = json(['merge', b, a]);
    const whole = json(['run', '--platform', 'tmall', twoShops]);
    expect(audited(merged)).toEqual(audited(whole));
    // Input accounting adds up: each shard read the whole file and counted the other shop's rows.
    expect(merged.input.files).toHaveLength(2);
    expect(merged.input.rows).toBe(2 * whole.input.rows);
    const table = cli(['merge', a, b]);
    expect(table.exitCode).toBe(0);
    expect(table.stdout).toContain('Portfolio: 2');
  });

  const onlyBReport = (): string => {
    const file = path.join(tmp, 'one.json');
    writeFileSync(file, cli(['run', '--platform', 'tmall', '--format', 'json', onlyB]).stdout);
    return file;
  };

  it('refuses shards that overlap, are not cs-audit reports, or were judged by other rules', () => {
    const a = onlyBReport();
    const overlap = cli(['merge', a, a]);
    expect(overlap.exitCode).toBe(2);
    expect(overlap.stderr).toContain(`shop "${SHOP_B}" is in both`);
    const other = path.join(tmp, 'other.json');
    writeFileSync(other, '{"hello": 1}');
    const bad = cli(['merge', a, other]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('not a cs-audit report');
    const pdd = path.join(tmp, 'pdd.json');
    writeFileSync(pdd, cli(['run', '--platform', 'pinduoduo', '--format', 'json', twoShops, '--shop', SHOP_A]).stdout);
    const mixed = cli(['merge', a, pdd]);
    expect(mixed.exitCode).toBe(2);
    expect(mixed.stderr).toContain('platform');
    // The same version string, other contents: a user's pack with another threshold.
    const pack = JSON.parse(readFileSync(path.join(ROOT, 'platforms/tmall.json'), 'utf8')) as { versions: { metrics: { threshold_seconds?: { value: number } }[] }[] };
    pack.versions[0]!.metrics[0]!.threshold_seconds!.value = 120;
    const packFile = path.join(tmp, 'tmall-120.json');
    writeFileSync(packFile, JSON.stringify(pack));
    const otherRules = path.join(tmp, 'other-rules.json');
    writeFileSync(otherRules, cli(['run', '--rules', packFile, '--format', 'json', twoShops, '--shop', SHOP_A]).stdout);
    const rulesDiffer = cli(['merge', onlyBReport(), otherRules]);
    expect(rulesDiffer.exitCode).toBe(2);
    expect(rulesDiffer.stderr).toContain('rules (sha256)');
  });
});
