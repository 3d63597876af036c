// Issue 6: the history store run by run, through the real CLI. Numbers worked by hand from
// RULES.md §4 (Taojiji: 5-minute rounds over the whole day, reply rate = a reply the same day)
// and §1 (Pending: a limit past the end of the data is pending, decided by a later run).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import initSqlJs from 'sql.js';
import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { deserialize, serialize } from 'node:v8';
import { gunzipSync, gzipSync } from 'node:zlib';
import { audit } from '../../src/audit.js';
import { STATES_KEPT } from '../../src/history/session.js';
import type { AmountMetricReport, RatioMetricReport, Report } from '../../src/report/model.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const tmp = mkdtempSync(path.join(tmpdir(), 'cs-audit-history-cli-'));
let n = 0;

function cli(args: string[]): { exitCode: number; stdout: string; stderr: string } {
  const env = { ...process.env, LANG: 'C.UTF-8', LC_ALL: '' } as Record<string, string>;
  delete env.FORCE_COLOR;
  const r = spawnSync(process.execPath, ['bin/cs-audit.js', ...args], { cwd: ROOT, env, encoding: 'utf8' });
  return { exitCode: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const p = path.join(tmp, `${n++}-${name}`);
  writeFileSync(p, text);
  return p;
}

function chat(rows: string[]): string {
  return file('chat.csv', `time,shop,buyer,sender,agent,content\n${rows.join('\n')}\n`);
}

function json(args: string[]): Report {
  const r = cli([...args, '--format', 'json']);
  expect(r.exitCode, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Report;
}

function ratio(r: Report, id: string, date: string): { eligible: number; passed: number; pending: number } {
  const d = (r.shops[0]!.metrics.find((m) => m.id === id) as RatioMetricReport).days.find((x) => x.date === date)!;
  return { eligible: d.eligible, passed: d.passed, pending: d.pending };
}

const S = '淘集集小店';
// Night of 2026-11-02: b1 asks at 23:58:00, b2 at 22:59:00; nobody answers before the export.
const night1 = [`2026-11-02 22:59:00,${S},b2,buyer,${S}:amy,在吗`, `2026-11-02 23:58:00,${S},b1,buyer,${S}:amy,发货了吗`];
// Night of 2026-11-03: b1 answered at 00:02:30 (150 s), b2 at 08:05:00 (9 h 6 min).
const night2 = [`2026-11-03 00:02:30,${S},b1,agent,${S}:amy,发了`, `2026-11-03 08:05:00,${S},b2,agent,${S}:amy,在的`];

describe('--history: a question asked late one night is judged by the next run', () => {
  it('RULES.md §1 Pending: 23:58 pending on its night, passed once the 00:02:30 reply arrives; 22:59 failed (data ended past its limit)', () => {
    const store = path.join(tmp, 'pending.sqlite');
    const first = json(['run', '-p', 'taojiji', '--history', store, chat(night1)]);
    // effective_reply_5min (300 s): b2's limit 23:04 lies before the data end 23:58 → failed; b1's
    // limit 00:03 lies after it → pending. reply_rate: both buyer-days wait for the end of the day.
    expect(ratio(first, 'effective_reply_5min', '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 1 });
    expect(ratio(first, 'reply_rate', '2026-11-02')).toEqual({ eligible: 0, passed: 0, pending: 2 });

    const second = json(['run', '-p', 'taojiji', '--history', store, chat(night2)]);
    // b1 replied after 150 s ≤ 300 s → passed; b2 after 9 h → failed. Neither got a reply on
    // 11-02 itself → both buyer-days of 11-02 fail the same-day reply rate.
    expect(ratio(second, 'effective_reply_5min', '2026-11-02')).toEqual({ eligible: 2, passed: 1, pending: 0 });
    expect(ratio(second, 'reply_rate', '2026-11-02')).toEqual({ eligible: 2, passed: 0, pending: 0 });
    expect(second.period).toEqual({ from: '2026-11-02', to: '2026-11-03' });
    expect(second.history).toMatchObject({ runs: 2, covers: { from: '2026-11-03', to: '2026-11-03' } });

    const once = json(['run', '-p', 'taojiji', chat([...night1, ...night2])]);
    expect(second.shops).toEqual(once.shops);
  });

  it('--details on a later run quotes the questions of buyer-days an earlier run without --details kept open', () => {
    const store = path.join(tmp, 'details-later.sqlite');
    json(['run', '-p', 'taojiji', '--history', store, chat(night1)]);
    const second = json(['run', '-p', 'taojiji', '--history', store, '--details', chat(night2)]);
    // reply_rate of 11-02 is decided by the second run (both buyers failed: no reply on 11-02);
    // its evidence is the questions the first run read: b2's at 22:59:00, b1's at 23:58:00.
    const items = second.details!.filter((d) => d.metric === 'reply_rate' && d.date === '2026-11-02');
    expect(items.map((d) => [d.buyer, d.start, d.text, d.origin?.line])).toEqual([
      ['b2', '2026-11-02 22:59:00', '在吗', 2],
      ['b1', '2026-11-02 23:58:00', '发货了吗', 3],
    ]);
    const once = json(['run', '-p', 'taojiji', '--details', chat([...night1, ...night2])]);
    expect(items).toEqual(once.details!.filter((d) => d.metric === 'reply_rate' && d.date === '2026-11-02').map((d) => ({ ...d, origin: { ...d.origin!, file: items[0]!.origin!.file } })));
  });

  it('a round closed by the buyer after midnight before its limit is decided at the end of the data, even two runs later', () => {
    const store = path.join(tmp, 'undecided.sqlite');
    json(['run', '-p', 'taojiji', '--history', store, chat([`2026-11-02 23:57:00,${S},b3,buyer,,在吗`])]);
    // b3 asks again at 00:01:00: the 23:57 round closes (a later day) before its limit 00:02:00,
    // unanswered, so it waits for the end of the data; b4 is answered within a minute.
    json(['run', '-p', 'taojiji', '--history', store, chat([`2026-11-03 00:01:00,${S},b3,buyer,,人呢`, `2026-11-03 10:00:00,${S},b4,buyer,,你好`, `2026-11-03 10:01:00,${S},b4,agent,${S}:amy,您好`])]);
    const third = json(['run', '-p', 'taojiji', '--history', store, chat([`2026-11-04 09:00:00,${S},b4,buyer,,还在吗`, `2026-11-04 09:00:30,${S},b4,agent,${S}:amy,在`])]);
    expect(ratio(third, 'effective_reply_5min', '2026-11-02')).toEqual({ eligible: 1, passed: 0, pending: 0 });
    expect(ratio(third, 'effective_reply_5min', '2026-11-03')).toEqual({ eligible: 2, passed: 1, pending: 0 });
    expect(ratio(third, 'effective_reply_5min', '2026-11-04')).toEqual({ eligible: 1, passed: 1, pending: 0 });
  });
});

describe('--history: re-running, gaps and late exports', () => {
  it('re-running a night replaces it: the same report, the same number of runs, and a notice', () => {
    const store = path.join(tmp, 'rerun.sqlite');
    const a = chat(night1);
    const b = chat(night2);
    json(['run', '-p', 'taojiji', '--history', store, a]);
    const once = json(['run', '-p', 'taojiji', '--history', store, b]);
    // Without --covers a run never replaces stored days (a stray old row must not).
    const implicit = cli(['run', '-p', 'taojiji', '--history', store, b]);
    expect(implicit.exitCode).toBe(2);
    expect(implicit.stderr).toContain('say so with --covers 2026-11-03..2026-11-03');
    const r = cli(['run', '-p', 'taojiji', '--history', store, '--covers', '2026-11-03', b, '--format', 'json']);
    expect(r.exitCode).toBe(0);
    expect(r.stderr).toContain(`shop ${S}: replacing 2026-11-03 recorded earlier`);
    const twice = JSON.parse(r.stdout) as Report;
    expect(twice.shops).toEqual(once.shops);
    expect(twice.history!.runs).toBe(2);
  });

  it('a night without an export is missing data, never zero: not assessed, online time unknown, windows partial', () => {
    const store = path.join(tmp, 'gap.sqlite');
    const presence = (day: string) => file('presence.csv', `time,shop,agent,status\n${day} 08:00:00,${S},${S}:amy,online\n${day} 20:00:00,${S},${S}:amy,offline\n`);
    json(['run', '-p', 'taojiji', '--history', store, chat([`2026-11-02 10:00:00,${S},b1,buyer,,在吗`]), '--presence', presence('2026-11-02')]);
    const r = json(['run', '-p', 'taojiji', '--history', store, chat([`2026-11-04 10:00:00,${S},b1,buyer,,在吗`]), '--presence', presence('2026-11-04')]);
    expect(r.history!.shops).toMatchObject([{ shop: S, missing_days: ['2026-11-03'], covered: [{ from: '2026-11-02', to: '2026-11-02' }, { from: '2026-11-04', to: '2026-11-04' }] }]);
    const online = r.shops[0]!.metrics.find((m) => m.id === 'online_hours') as AmountMetricReport;
    // RULES.md §4 online time ≥ 12 h a day: 08:00-20:00 is exactly 12 h (pass); 11-03 is unknown.
    expect(online.days.map((d) => [d.date, d.value, d.status, d.missing ?? false])).toEqual([
      ['2026-11-02', 12, 'pass', false],
      ['2026-11-03', null, 'n/a', true],
      ['2026-11-04', 12, 'pass', false],
    ]);
    const rounds = r.shops[0]!.metrics.find((m) => m.id === 'effective_reply_5min') as RatioMetricReport;
    const gap = rounds.days.find((d) => d.date === '2026-11-03')!;
    expect(gap).toMatchObject({ missing: true, status: 'n/a', eligible: 0 });
    expect(gap.note).toContain('missing data');
    expect(rounds.days.find((d) => d.date === '2026-11-04')!.window).toMatchObject({ partial: true, missing_days: 1 });
    expect(r.shops[0]!.activity.find((a) => a.date === '2026-11-03')).toMatchObject({ missing: true });
    // The table says so too.
    const table = cli(['run', '-p', 'taojiji', '--history', store, '--covers', '2026-11-04', chat([`2026-11-04 10:00:00,${S},b1,buyer,,在吗`]), '--presence', presence('2026-11-04')]);
    expect(table.stdout).toContain('missing data');
  });

  it('a late export for a day before later runs is refused with the days to feed again; feeding them together fills the gap', () => {
    const store = path.join(tmp, 'late.sqlite');
    const day2 = chat([`2026-11-02 10:00:00,${S},b1,buyer,,在吗`]);
    const day3 = chat([`2026-11-03 10:00:00,${S},b1,buyer,,在吗`]);
    const day4 = chat([`2026-11-04 10:00:00,${S},b1,buyer,,在吗`]);
    json(['run', '-p', 'taojiji', '--history', store, day2]);
    json(['run', '-p', 'taojiji', '--history', store, day4]);
    const late = cli(['run', '-p', 'taojiji', '--history', store, '--covers', '2026-11-03', day3]);
    expect(late.exitCode).toBe(2);
    expect(late.stderr).toContain('Feed the logs of 2026-11-03..2026-11-04 again in one run');
    const r = json(['run', '-p', 'taojiji', '--history', store, '--covers', '2026-11-03..2026-11-04', day3, day4]);
    expect(r.history!.shops[0]!.missing_days).toEqual([]);
    expect(r.shops).toEqual(json(['run', '-p', 'taojiji', day2, day3, day4]).shops);
  });
});

describe('--history: what crosses a night', () => {
  it('RULES.md §1 Session: a shop message after midnight moves the session to the new day, and the buyer joins it', () => {
    // Suning first_response_45s, sessions from 09:00: the buyer writes at 23:50 (outside the
    // window), the agent at 00:00:30, the buyer again at 00:01 — same session (no 30-minute
    // gap, same day as the last message), so no new session on 11-11.
    const night1 = chat([`2024-01-10 23:50:00,${S},b1,buyer,,在吗`]);
    const night2 = chat([`2024-01-11 00:00:30,${S},b1,agent,${S}:amy,在`, `2024-01-11 00:01:00,${S},b1,buyer,,好的`, `2024-01-11 10:00:00,${S},b2,buyer,,你好`]);
    const store = path.join(tmp, 'session.sqlite');
    json(['run', '-p', 'suning', '--history', store, '--covers', '2024-01-10', night1]);
    const nightly = json(['run', '-p', 'suning', '--history', store, '--covers', '2024-01-11', night2]);
    const once = json(['run', '-p', 'suning', '--covers', '2024-01-10..2024-01-11', night1, night2]);
    expect(nightly.shops[0]!.activity.map((a) => a.sessions)).toEqual([1, 1]);
    expect(nightly.shops).toEqual(once.shops);
  });

  it('a later export\'s reply to an earlier review is taken back when that export is replaced', () => {
    const reviews = (rows: string[]) => file('reviews.csv', `time,shop,review_id,rating,content,reply_time\n${rows.join('\n')}\n`);
    const store = path.join(tmp, 'replies.sqlite');
    json(['run', '-p', 'kuaishou', '--history', store, '--covers', '2026-11-01', '--reviews', reviews([`2026-11-01 20:00:00,${S},r1,1,差,`])]);
    json(['run', '-p', 'kuaishou', '--history', store, '--covers', '2026-11-02', '--reviews', reviews([`2026-11-01 20:00:00,${S},r1,1,差,2026-11-02 09:00:00`])]);
    // The corrected export of 11-02 has no reply: r1 (24 h limit to 11-02 20:00, data ending
    // 11-02 08:00) is pending again.
    const r = json(['run', '-p', 'kuaishou', '--history', store, '--covers', '2026-11-02', '--reviews', reviews([`2026-11-02 08:00:00,${S},r2,5,好,`])]);
    expect(ratio(r, 'negative_review_reply_24h', '2026-11-01')).toEqual({ eligible: 0, passed: 0, pending: 1 });
  });

  it('a --shop re-run keeps the every-shop nights of the other shops covered', () => {
    const store = path.join(tmp, 'keep-every.sqlite');
    json(['run', '-p', 'taojiji', '--history', store, '--covers', '2026-11-01', chat([`2026-11-01 10:00:00,A,b1,buyer,,在吗`])]);
    json(['run', '-p', 'taojiji', '--history', store, '--covers', '2026-11-02', chat([`2026-11-02 10:00:00,A,b1,buyer,,在吗`, `2026-11-02 10:00:00,B,b1,buyer,,在吗`])]);
    const r = json(['run', '-p', 'taojiji', '--history', store, '--shop', 'A', '--covers', '2026-11-01..2026-11-02', chat([`2026-11-01 10:00:00,A,b1,buyer,,在吗`, `2026-11-02 10:00:00,A,b1,buyer,,在吗`])]);
    expect(r.history!.shops).toMatchObject([{ shop: 'A', missing_days: [] }]);
    const all = json(['run', '-p', 'taojiji', '--history', store, '--covers', '2026-11-03', chat([`2026-11-03 10:00:00,A,b1,buyer,,在吗`])]);
    expect(all.history!.shops.map((s) => [s.shop, s.missing_days])).toEqual([
      ['A', []],
      ['B', []],
    ]);
  });

  it('what waited for a reply before a missing night stays pending: its answer is in the missing export', () => {
    // Taojiji 5-minute rounds: b1 asks at 23:58:30 on 11-01; 11-02 is missing; 11-03 is fed.
    const store = path.join(tmp, 'gap-pending.sqlite');
    json(['run', '-p', 'taojiji', '--history', store, '--covers', '2026-11-01', chat([`2026-11-01 23:58:30,${S},b1,buyer,,在吗`])]);
    const r = cli(['run', '-p', 'taojiji', '--history', store, '--covers', '2026-11-03', '--format', 'json', chat([`2026-11-03 10:00:00,${S},b1,buyer,,在吗`, `2026-11-03 10:01:00,${S},b1,agent,${S}:amy,在`])]);
    expect(r.stderr).toContain('no export covers 2026-11-02..2026-11-02');
    const report = JSON.parse(r.stdout) as Report;
    expect(ratio(report, 'effective_reply_5min', '2026-11-01')).toEqual({ eligible: 0, passed: 0, pending: 1 });
    expect(ratio(report, 'effective_reply_5min', '2026-11-03')).toEqual({ eligible: 1, passed: 1, pending: 0 });
  });
});

describe('--history: the store', () => {
  it('holds the day facts for SQL: counts per shop, metric, day and agent, and the penalties', async () => {
    const store = path.join(tmp, 'facts.sqlite');
    json(['run', '-p', 'taojiji', '--history', store, chat(night1)]);
    json(['run', '-p', 'taojiji', '--history', store, chat(night2)]);
    const SQL = await initSqlJs();
    const db = new SQL.Database(readFileSync(store));
    const rows = db.exec(
      "SELECT agent, eligible, passed, pending FROM day_metrics WHERE metric = 'effective_reply_5min' AND day = '2026-11-02' ORDER BY agent",
    )[0]!.values;
    expect(rows).toEqual([
      ['', 2, 1, 0],
      [`${S}:amy`, 2, 1, 0],
    ]);
    const runs = db.exec('SELECT count(*), min(first_day), max(last_day) FROM runs')[0]!.values[0];
    expect(runs).toEqual([2, '2026-11-02', '2026-11-03']);
    db.close();
    expect(existsSync(`${store}.lock`)).toBe(false);
  });

  it('refuses a store of another platform, other rules, a file that is no store, and a store another run holds', () => {
    const store = path.join(tmp, 'guard.sqlite');
    json(['run', '-p', 'taojiji', '--history', store, chat(night1)]);
    const platform = cli(['run', '-p', 'tmall', '--history', store, chat(night2)]);
    expect(platform.exitCode).toBe(2);
    expect(platform.stderr).toContain('records platform taojiji, not tmall');

    const pack = JSON.parse(readFileSync(path.join(ROOT, 'platforms/taojiji.json'), 'utf8')) as { versions: { metrics: { threshold_seconds?: { value: number } }[] }[] };
    pack.versions.at(-1)!.metrics[2]!.threshold_seconds!.value = 240;
    const rules = cli(['run', '--rules', file('pack.json', JSON.stringify(pack)), '--history', store, chat(night2)]);
    expect(rules.exitCode).toBe(2);
    expect(rules.stderr).toContain('recorded under other rules');

    const notStore = cli(['run', '-p', 'taojiji', '--history', file('x.sqlite', 'hello'), chat(night2)]);
    expect(notStore.exitCode).toBe(2);
    expect(notStore.stderr).toContain('not a SQLite database');

    writeFileSync(`${store}.lock`, `${process.pid}@${hostname()}\n`);
    const locked = cli(['run', '-p', 'taojiji', '--history', store, chat(night2)]);
    expect(locked.exitCode).toBe(2);
    expect(locked.stderr).toContain('another cs-audit run');
  });

  it('issue 8: a store whose states were written whole (engine state @3) goes on as one written in columns (@4), and is marked @4; @2 is refused', async () => {
    // 1 600 buyers answered on 11-01; a message on 11-03 puts them to rest (a sweep looks once
    // 1 024 are awake, and again at half as many more), so the saved state holds them at rest:
    // the columns of @4.
    const buyers = Array.from({ length: 1600 }, (_, i) => `buyer${i}`);
    const first = [
      ...buyers.flatMap((b, i) => [`2026-11-01 10:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},${S},${b},buyer,${S}:amy,在吗`]),
      ...buyers.map((b) => `2026-11-01 12:00:00,${S},${b},agent,${S}:amy,在的`),
      `2026-11-03 09:00:00,${S},late,buyer,${S}:amy,有货吗`,
    ];
    const second = [`2026-11-04 09:00:00,${S},buyer7,buyer,${S}:bob,发货了吗`, `2026-11-04 09:01:00,${S},buyer7,agent,${S}:bob,发了`, `2026-11-04 23:59:00,${S},buyer8,buyer,${S}:bob,在吗`];
    const a = path.join(tmp, 'state-a.sqlite');
    const b = path.join(tmp, 'state-b.sqlite');
    json(['run', '-p', 'tmall', '--history', a, chat(first)]);
    json(['run', '-p', 'tmall', '--history', b, chat(first)]);
    const SQL = await initSqlJs();
    const { decodeShop } = await import('../../src/history/state-codec.js');
    // Store b as the @3 engine wrote it: every state whole, the meta saying @3.
    const db = new SQL.Database(readFileSync(b));
    const [run, shop, blob] = db.exec('SELECT run, shop, state FROM coverage WHERE state IS NOT NULL')[0]!.values[0]! as [number, string, Uint8Array];
    const written = deserialize(gunzipSync(blob)) as { rested: { buyers: string } };
    expect(written.rested.buyers.split('\u0000').length).toBe(1600);
    // @3 saved no conversation's last message time either.
    const decoded = decodeShop(blob);
    const conversations = new Map([...decoded.state.conversations].map(([buyer, { segmenter, countedDay }]) => [buyer, { segmenter, countedDay }]));
    const whole = { ...decoded, state: { ...decoded.state, conversations } };
    db.run('UPDATE coverage SET state = ? WHERE run = ? AND shop = ?', [gzipSync(serialize(whole)), run, shop]);
    db.run("UPDATE meta SET value = 'cs-audit/engine-state@3' WHERE key = 'engine_state'");
    writeFileSync(b, db.export());
    db.close();

    const next = chat(second);
    const fromColumns = json(['run', '-p', 'tmall', '--history', a, next]);
    const fromWhole = json(['run', '-p', 'tmall', '--history', b, next]);
    const strip = (r: Report): unknown => JSON.parse(JSON.stringify({ ...r, generated_at: null }).replaceAll(a, 'STORE').replaceAll(b, 'STORE'));
    expect(strip(fromWhole)).toEqual(strip(fromColumns));
    const after = new SQL.Database(readFileSync(b));
    expect(after.exec("SELECT value FROM meta WHERE key = 'engine_state'")[0]!.values[0]![0]).toBe('cs-audit/engine-state@4');
    after.run("UPDATE meta SET value = 'cs-audit/engine-state@2' WHERE key = 'engine_state'");
    writeFileSync(b, after.export());
    after.close();
    const old = cli(['run', '-p', 'tmall', '--history', b, chat(second)]);
    expect(old.exitCode).toBe(2);
    expect(old.stderr).toContain('holds engine state cs-audit/engine-state@2');
  });

  it('--shop-folders: a missing shop folder is a missing day for that shop only', () => {
    const store = path.join(tmp, 'folders.sqlite');
    const night = (day: string, shops: string[]): string => {
      const dir = path.join(tmp, `export-${n++}`);
      for (const shop of shops) {
        mkdirSync(path.join(dir, shop), { recursive: true });
        writeFileSync(path.join(dir, shop, 'chat.csv'), `time,buyer,sender,agent,content\n${day} 10:00:00,b1,buyer,${shop}:amy,在吗\n${day} 10:01:00,b1,agent,${shop}:amy,在\n`);
      }
      return dir;
    };
    json(['run', '-p', 'taojiji', '--history', store, '--shop-folders', night('2026-11-02', ['shopA', 'shopB'])]);
    const r = json(['run', '-p', 'taojiji', '--history', store, '--shop-folders', night('2026-11-03', ['shopA'])]);
    expect(r.history!.shops.map((s) => [s.shop, s.missing_days, s.fed_now])).toEqual([
      ['shopA', [], true],
      ['shopB', ['2026-11-03'], false],
    ]);
  });
});

describe('--covers without a history', () => {
  it('a covered day without rows was quiet (assessed, zero), and rows of other days are counted, not audited', () => {
    const log = chat([`2026-11-01 23:59:00,${S},b0,buyer,,早`, `2026-11-03 10:00:00,${S},b1,buyer,,在吗`, `2026-11-03 10:01:00,${S},b1,agent,${S}:amy,在`]);
    const r = json(['run', '-p', 'taojiji', '--covers', '2026-11-02..2026-11-03', log]);
    expect(r.period).toEqual({ from: '2026-11-02', to: '2026-11-03' });
    expect(ratio(r, 'effective_reply_5min', '2026-11-02')).toEqual({ eligible: 0, passed: 0, pending: 0 });
    expect(ratio(r, 'effective_reply_5min', '2026-11-03')).toEqual({ eligible: 1, passed: 1, pending: 0 });
    expect(r.input.files[0]!.excluded).toMatchObject({ outside_covered_days: 1 });
  });
});

describe('--history: states kept', () => {
  it(`keeps the engine states of the last ${STATES_KEPT} runs per shop: older nights can no longer be re-run, the latest still can`, async () => {
    const store = path.join(tmp, 'kept.sqlite');
    const nights = STATES_KEPT + 2;
    const day = (i: number) => new Date(Date.UTC(2026, 9, 1 + i)).toISOString().slice(0, 10);
    const files = Array.from({ length: nights }, (_, i) => chat([`${day(i)} 10:00:00,${S},b1,buyer,,在吗`, `${day(i)} 10:01:00,${S},b1,agent,${S}:amy,在`]));
    const night = (i: number) =>
      audit({
        platform: 'taojiji', rulesFile: null, inputs: [files[i]!], tz: null, from: null, to: null, strict: false, stdin: Readable.from([]),
        history: store, covers: { from: day(i), to: day(i) },
      });
    for (let i = 0; i < nights; i++) await night(i);
    // Nights 2 to the last again, in one run: they would continue from night 1's state, no longer kept.
    const again = audit({
      platform: 'taojiji', rulesFile: null, inputs: files.slice(1), tz: null, from: null, to: null, strict: false, stdin: Readable.from([]),
      history: store, covers: { from: day(1), to: day(nights - 1) },
    });
    await expect(again).rejects.toThrow(`no longer keeps (it keeps the last ${STATES_KEPT} runs' states per shop)`);
    const last = await night(nights - 1);
    expect(last.history!.runs).toBe(nights);
    expect(ratio(last, 'effective_reply_5min', day(0))).toEqual({ eligible: 1, passed: 1, pending: 0 });
  }, 60_000);
});
