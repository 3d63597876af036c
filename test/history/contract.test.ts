// Issue 6, the contract: feeding the logs day by day into a history store gives exactly the
// report of one run over all the days together (rolling windows, month ladders, penalty cycles,
// pending items resolved the next day), on every platform. Property tests over generated logs.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { audit, type AuditOptions } from '../../src/audit.js';
import type { Report } from '../../src/report/model.js';
import { PLATFORMS_DIR } from '../../src/rules/load-pack.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-history-'));
let n = 0;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

function local(ms: number): string {
  // Asia/Shanghai has no DST: shift by 8 hours and print.
  return new Date(ms + 8 * HOUR).toISOString().slice(0, 19).replace('T', ' ');
}

/** The local day (YYYY-MM-DD) of an epoch time in Shanghai. */
function dayOf(ms: number): string {
  return local(ms).slice(0, 10);
}

interface Chat {
  t: number;
  id: string;
  shop: string;
  buyer: string;
  sender: string;
  agent: string;
  type: string;
  content: string;
  card: string;
  bot_mode: string;
  flags: string;
}

interface Presence {
  t: number;
  shop: string;
  agent: string;
  status: string;
}

interface Review {
  t: number;
  shop: string;
  review_id: string;
  rating: number;
  reply: number | null;
}

interface Logs {
  chat: Chat[];
  presence: Presence[];
  reviews: Review[];
}

const KINDS = ['question', 'question', 'question', 'reply', 'reply', 'reply', 'bot', 'assign', 'blacklist', 'evaluation', 'abusive', 'red_packet', 'merchant'] as const;

/**
 * A few weeks of two shops: times bunched around midnights (so rounds, sessions and buyer-days
 * stay open across the nightly cut), every kind of row the engine treats specially, presence
 * sessions across midnight, and reviews whose reply comes on a later day.
 */
function logsArbitrary(start: number, days: number, messages = 90): fc.Arbitrary<Logs> {
  const time = fc
    .tuple(fc.integer({ min: 0, max: days - 1 }), fc.boolean(), fc.integer({ min: 0, max: DAY - 1 }), fc.integer({ min: -900, max: 900 }))
    .map(([day, nearMidnight, anyTime, around]) => {
      const t = start + day * DAY + (nearMidnight ? around * 1000 : anyTime);
      return Math.max(start, Math.min(start + days * DAY - 1000, t));
    });
  const chatRow = fc.tuple(time, fc.constantFrom(...KINDS), fc.constantFrom('shopA', 'shopB'), fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 4 }));
  const presenceRow = fc.tuple(time, fc.constantFrom('shopA', 'shopB'), fc.integer({ min: 1, max: 2 }), fc.constantFrom('online', 'online', 'offline', 'away'));
  const reviewRow = fc.tuple(time, fc.constantFrom('shopA', 'shopB'), fc.integer({ min: 1, max: 5 }), fc.option(fc.integer({ min: 60, max: 2 * DAY / 1000 }), { nil: null }));
  return fc
    .record({
      chat: fc.array(chatRow, { minLength: 1, maxLength: messages }),
      presence: fc.array(presenceRow, { maxLength: 30 }),
      reviews: fc.array(reviewRow, { maxLength: 12 }),
    })
    .map(({ chat, presence, reviews }) => {
      // Distinct times: ties legitimately depend on file order, which a nightly split changes.
      const used = new Set<number>();
      const unique = (t: number): number => {
        while (used.has(t)) t += 1000;
        used.add(t);
        return t;
      };
      const rows = chat.map(([t, kind, shop, buyer, agent, dayShift], i): Chat => {
        const base: Chat = { t: unique(t - (t % 1000)), id: `${shop}-m${i}`, shop, buyer: `b${buyer}`, sender: 'buyer', agent: '', type: 'text', content: `q${i}, "hi"`, card: '', bot_mode: '', flags: '' };
        const account = `${shop}:a${agent}`;
        switch (kind) {
          case 'reply':
            return { ...base, sender: 'agent', agent: account };
          case 'bot':
            return { ...base, sender: 'bot', agent: `${shop}:bot`, bot_mode: 'auto' };
          case 'assign':
            return { ...base, sender: 'system', agent: account, type: 'assign' };
          case 'blacklist':
            return { ...base, sender: 'system', type: 'blacklist' };
          case 'evaluation':
            return { ...base, agent: account, type: 'evaluation', content: agent === 1 ? '不满意' : '满意', card: `c${buyer}-${dayShift % 2}` };
          case 'abusive':
            return { ...base, flags: 'abusive' };
          case 'red_packet':
            return { ...base, sender: 'agent', agent: account, type: 'red_packet' };
          case 'merchant':
            // A merchant "buyer" carries the flag on every row of theirs (b5 only), as exports do.
            return { ...base, buyer: 'b5' };
          default:
            return { ...base, agent: buyer % 2 === 0 ? account : '' };
        }
      });
      for (const r of rows) if (r.buyer === 'b5') r.flags = r.flags === '' ? 'merchant' : `${r.flags};merchant`;
      return {
        chat: rows,
        presence: presence.map(([t, shop, agent, status]) => ({ t: unique(t - (t % 1000)), shop, agent: `${shop}:a${agent}`, status })),
        reviews: reviews.map(([t, shop, rating, after], i) => ({ t: unique(t - (t % 1000)), shop, review_id: `${shop}-r${i}`, rating, reply: after === null ? null : t - (t % 1000) + after * 1000 })),
      };
    });
}

function cell(v: string | number | null): string {
  const s = v === null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function writeCsv(columns: string[], rows: (string | number | null)[][]): string {
  const file = path.join(dir, `${n++}.csv`);
  writeFileSync(file, `${columns.join(',')}\n${rows.map((r) => r.map(cell).join(',')).join('\n')}${rows.length > 0 ? '\n' : ''}`);
  return file;
}

/** One night's export of each log: the day's rows; a review shows its reply only from the reply's day on. */
function exportOf(logs: Logs, day: string): { chat: string; presence: string; reviews: string } {
  const chat = logs.chat.filter((m) => dayOf(m.t) === day).sort((a, b) => a.t - b.t);
  const presence = logs.presence.filter((e) => dayOf(e.t) === day).sort((a, b) => a.t - b.t);
  const reviews: (string | number | null)[][] = [];
  for (const r of logs.reviews) {
    const replyDay = r.reply === null ? null : dayOf(r.reply);
    if (dayOf(r.t) === day) reviews.push([local(r.t), r.shop, r.review_id, r.rating, '差', replyDay === day ? local(r.reply!) : null]);
    else if (replyDay === day) reviews.push([local(r.t), r.shop, r.review_id, r.rating, '差', local(r.reply!)]);
  }
  return {
    chat: writeCsv(
      ['id', 'time', 'shop', 'buyer', 'sender', 'agent', 'type', 'content', 'card', 'bot_mode', 'flags'],
      chat.map((m) => [m.id, local(m.t), m.shop, m.buyer, m.sender, m.agent, m.type, m.content, m.card, m.bot_mode, m.flags]),
    ),
    presence: writeCsv(['time', 'shop', 'agent', 'status'], presence.map((e) => [local(e.t), e.shop, e.agent, e.status])),
    reviews: writeCsv(['time', 'shop', 'review_id', 'rating', 'content', 'reply_time'], reviews),
  };
}

/**
 * The built-in pack with volumes a generated week can reach (every minimum volume 1, penalty
 * volume tiers divided by 100), so statuses fail and penalties fire: the contract covers them.
 */
function reachable(platform: string): unknown {
  const pack = JSON.parse(readFileSync(path.join(PLATFORMS_DIR, `${platform}.json`), 'utf8')) as unknown;
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      for (const [key, value] of Object.entries(o)) {
        if (key === 'min_volume' && value !== null && typeof value === 'object') (value as { value: number }).value = 1;
        else if (key === 'volume' && value !== null && typeof value === 'object') {
          const bound = value as Record<string, number>;
          for (const k of Object.keys(bound)) bound[k] = Math.ceil(bound[k]! / 100);
        } else walk(value);
      }
    }
  };
  walk(pack);
  return pack;
}

const packs = new Map<string, unknown>();

function run(platform: string, files: { chat: string[]; presence: string[]; reviews: string[] }, extra: Partial<AuditOptions> = {}): Promise<Report> {
  if (!packs.has(platform)) packs.set(platform, reachable(platform));
  return audit({
    platform: null,
    rulesPack: packs.get(platform),
    rulesFile: null,
    inputs: files.chat,
    presence: files.presence,
    reviews: files.reviews,
    tz: null,
    from: null,
    to: null,
    strict: false,
    stdin: Readable.from([]),
    ...extra,
  });
}

/** Everything the audit decided (the input section describes only the files of one run). */
function decided(r: Report): unknown {
  return { period: r.period, rules: r.rules, metrics: r.metrics, penalties: r.penalties, totals: r.totals, shops: r.shops };
}

function daysBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${first}T00:00:00Z`); t <= Date.parse(`${last}T00:00:00Z`); t += DAY) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

const PLATFORMS = ['tmall', 'pinduoduo', 'taojiji', 'xiaohongshu', 'suning', 'kuaishou'];

describe('history contract: night by night equals one run over all the days (property)', () => {
  for (const platform of PLATFORMS) {
    it(`${platform}: a week fed night by night through --history gives the one-run report`, async () => {
      const start = Date.UTC(2026, 10, 1, -8); // 2026-11-01 00:00 Shanghai
      const seen = { penalties: 0, failing: 0 };
      await fc.assert(
        fc.asyncProperty(logsArbitrary(start, 7), fc.nat(6), async (logs, again) => {
          const days = daysBetween(dayOf(start), dayOf(start + 6 * DAY));
          const exports = days.map((d) => exportOf(logs, d));
          const store = path.join(dir, `${n++}.sqlite`);
          let last: Report | null = null;
          for (const [i, day] of days.entries()) {
            const e = exports[i]!;
            const files = { chat: [e.chat], presence: [e.presence], reviews: [e.reviews] };
            last = await run(platform, files, { history: store, covers: { from: day, to: day } });
            // Re-running a night replaces it: the store ends as if it ran once.
            if (i === again) last = await run(platform, files, { history: store, covers: { from: day, to: day } });
          }
          // The nights covered every day (--covers), quiet ones included: so does the one run.
          const whole = await run(
            platform,
            { chat: exports.map((e) => e.chat), presence: exports.map((e) => e.presence), reviews: exports.map((e) => e.reviews) },
            { covers: { from: days[0]!, to: days.at(-1)! } },
          );
          expect(last!.history!.shops.every((s) => s.missing_days.length === 0)).toBe(true);
          expect(decided(last!)).toEqual(decided(whole));
          seen.penalties += whole.penalties.length;
          seen.failing += whole.shops.flatMap((s) => s.metrics.flatMap((m) => m.days as { status: string }[])).filter((d) => d.status === 'fail').length;
        }),
        // A fixed seed keeps the coverage check below stable from run to run.
        { numRuns: 12, seed: 7 },
      );
      // The generated weeks did reach failing days and penalties, not only quiet passes (Kuaishou
      // judges reviews one by one, without a day status; a Xiaohongshu cycle needs more than a
      // week for its first full T-7..T-1 window: the six-week test below covers it).
      if (platform !== 'kuaishou' && platform !== 'xiaohongshu') expect(seen.failing).toBeGreaterThan(0);
      if (platform !== 'xiaohongshu') expect(seen.penalties).toBeGreaterThan(0);
    }, 120_000);
  }

  it('taojiji, xiaohongshu and suning over six weeks across a month end (month ladders, penalty cycles), re-feeding the last days in one run', async () => {
    const start = Date.UTC(2026, 9, 20, -8); // 2026-10-20
    const penalties = new Map<string, number>();
    for (const platform of ['taojiji', 'xiaohongshu', 'suning']) {
      await fc.assert(
        fc.asyncProperty(logsArbitrary(start, 42, 400), async (logs) => {
          const days = daysBetween(dayOf(start), dayOf(start + 41 * DAY));
          const exports = days.map((d) => exportOf(logs, d));
          const store = path.join(dir, `${n++}.sqlite`);
          let last: Report | null = null;
          for (const [i, day] of days.entries()) {
            const e = exports[i]!;
            last = await run(platform, { chat: [e.chat], presence: [e.presence], reviews: [e.reviews] }, { history: store, covers: { from: day, to: day } });
          }
          // The last five nights again, as one run (e.g. after better exports came in).
          const tail = exports.slice(-5);
          last = await run(
            platform,
            { chat: tail.map((e) => e.chat), presence: tail.map((e) => e.presence), reviews: tail.map((e) => e.reviews) },
            { history: store, covers: { from: days.at(-5)!, to: days.at(-1)! } },
          );
          // The nights covered every day (--covers), quiet ones included: so does the one run.
          const whole = await run(
            platform,
            { chat: exports.map((e) => e.chat), presence: exports.map((e) => e.presence), reviews: exports.map((e) => e.reviews) },
            { covers: { from: days[0]!, to: days.at(-1)! } },
          );
          expect(decided(last)).toEqual(decided(whole));
          penalties.set(platform, (penalties.get(platform) ?? 0) + whole.penalties.length);
        }),
        // A fixed seed: the same six weeks each run, chosen so every platform reaches penalties.
        { numRuns: 3, seed: 3 },
      );
    }
    expect(Object.fromEntries(penalties)).toEqual({ taojiji: expect.any(Number), xiaohongshu: expect.any(Number), suning: expect.any(Number) });
    for (const [platform, k] of penalties) expect(k, platform).toBeGreaterThan(0);
  }, 300_000);
});
