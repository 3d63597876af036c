// Issue 8: one large file in time order is read once, pass 1's work done as the rows come
// (chatInOnePass). The report must be exactly the two passes' report; where the input does not
// allow one pass (rows leaving time order after the first 8 192, an account or merchant met after
// that buyer's messages were judged, a row that changes the shop given to rows that name none),
// the pass gives up and the file is read in two passes. A file whose first rows leave time order
// is sorted in the one pass.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { audit as auditFn, AuditOptions } from '../../src/audit.js';
import type { Report } from '../../src/report/model.js';

const dir = mkdtempSync(path.join(tmpdir(), 'cs-audit-one-pass-'));
// The threads run compiled code: the built audit starts them.
const { audit } = (await import(pathToFileURL(path.resolve('dist/audit.js')).href)) as { audit: typeof auditFn };

const HEADER = 'id,time,shop,buyer,sender,agent,type,content,recalled,bot_mode,card,flags';

/**
 * Two shops, 40 buyers, 3000 rows a minute apart: questions answered fast and slow, bots,
 * evaluations, recalls, red packets, bad rows and repeated ids. `extra` rows go in at their place.
 */
function log(extra: Map<number, string> = new Map(), count = 3000): string {
  let state = 11;
  const rand = (n: number) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
  const at = (i: number) => new Date(Date.UTC(2026, 10, 2, 0, 0) + i * 60_000).toISOString().slice(0, 19).replace('T', ' ');
  const rows = [HEADER];
  for (let i = 0; i < count; i++) {
    if (extra.has(i)) rows.push(extra.get(i)!.replace('@', at(i)));
    const shop = rand(4) === 0 ? 'shopB' : 'shopA';
    const buyer = `b${rand(40)}`;
    const kind = rand(10);
    const row =
      kind < 4
        ? `m${i},${at(i)},${shop},${buyer},buyer,,text,"在吗,有货吗",${rand(30) === 0 ? 1 : ''},,,`
        : kind < 7
          ? `m${i},${at(i)},${shop},${buyer},agent,${shop}:a${rand(5)},text,"亲\n有的",,,,`
          : kind < 8
            ? `m${i},${at(i)},${shop},${buyer},bot,${shop}:bot,text,自动回复,,${rand(2) ? 'auto' : 'assist'},,`
            : kind < 9
              ? `m${i},${at(i)},${shop},${buyer},buyer,${shop}:a1,evaluation,${['很满意', '不满意'][rand(2)]},,,c${i},`
              : `m${i},${at(i)},${shop},${buyer},agent,${shop}:a2,red_packet,,,,,`;
    rows.push(row);
    if (rand(60) === 0) rows.push(row); // a repeated id
    if (rand(80) === 0) rows.push(`bad${i},not a time,${shop},${buyer},buyer,,text,x,,,,`);
  }
  return rows.join('\n') + '\n';
}

async function both(name: string, text: string, options: Partial<AuditOptions> = {}) {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  const run = async (one: boolean) => {
    const told: (string | null)[] = [];
    const report = await audit({
      platform: 'tmall',
      rulesFile: null,
      inputs: [file],
      tz: null,
      from: null,
      to: null,
      strict: false,
      stdin: Readable.from([]),
      details: true,
      cores: 2,
      partBytes: 16 * 1024,
      onePass: one,
      onOnePass: (why) => told.push(why),
      ...options,
    });
    return { report: stripped(report), told };
  };
  return { one: await run(true), two: await run(false) };
}

/**
 * log()'s rows with one shop only (shopB's are shopA's), and without a shop where `unnamed` says
 * (counting the records). Rows put in as `extra` (id x) stay as they are.
 */
function oneShop(text: string, unnamed: (row: number) => boolean = () => false): string {
  let row = 0;
  return text
    .split('\n')
    .map((line) => {
      if (line.startsWith('x,')) return line;
      const one = line.replace(/^([^,]*,[^,]*,)shopB,/, '$1shopA,').replaceAll('shopB:', 'shopA:');
      // A record's first line starts with its id and time; a quoted newline's second line does not.
      if (!/^[^,]*,(\d{4}-|not a time)/.test(one)) return one;
      return unnamed(row++) ? one.replace(/^([^,]*,[^,]*,)shopA,/, '$1,') : one;
    })
    .join('\n');
}

/** A log's records shop by shop, in file order: [shop, the shop's log with the header] (a folder per shop). */
function byShop(text: string): [string, string][] {
  const lines = text.trimEnd().split('\n');
  const files = new Map<string, string[]>();
  let shop = '';
  for (const line of lines.slice(1)) {
    // A record's first line starts with its id and time; a quoted newline's second line does not.
    if (/^[^,]*,(\d{4}-|not a time)/.test(line)) shop = line.split(',')[2]!;
    if (!files.has(shop)) files.set(shop, [lines[0]!]);
    files.get(shop)!.push(line);
  }
  return [...files].map(([name, rows]) => [name, rows.join('\n') + '\n']);
}

/** The report without what differs run to run (the time it was made). */
function stripped(r: Report): unknown {
  return JSON.parse(JSON.stringify({ ...r, generator: null }));
}

describe('both passes in one', () => {
  it('the same report as two passes: bad rows, repeats, evaluations, two shops, every platform', async () => {
    for (const platform of ['tmall', 'pinduoduo', 'kuaishou']) {
      const { one, two } = await both(`plain-${platform}.csv`, log(), { platform });
      expect(one.told).toEqual([null]);
      const r = one.report as Report;
      expect(r.input.bad_rows).toBeGreaterThan(10);
      expect(r.input.files[0]!.duplicates).toBeGreaterThan(10);
      expect(one.report).toEqual(two.report);
    }
  });

  it('FORMAT.md sub-account chatter: an account met after its messages as a buyer were judged gives up; the two passes count them as chatter', async () => {
    // b7 writes as a buyer early on, and answers as shopA's agent at row 2000.
    const { one, two } = await both('late-account.csv', log(new Map([[2000, 'late,@,shopA,b3,agent,b7,text,好的,,,,']])));
    expect(one.told).toEqual([expect.stringContaining('account b7 of shopA')]);
    expect(one.report).toEqual(two.report);
    expect((two.report as Report).shops.find((s) => s.shop === 'shopA')!.messages.excluded.internal_chatter).toBeGreaterThan(0);
  });

  it('FORMAT.md merchant: a merchant flag on a buyer\'s later row gives up; on the first row it does not', async () => {
    const late = await both('late-merchant.csv', log(new Map([[2500, 'late,@,shopA,b5,buyer,,text,在吗,,,,merchant']])));
    expect(late.one.told).toEqual([expect.stringContaining('merchant b5 of shopA')]);
    expect(late.one.report).toEqual(late.two.report);
    const first = await both('first-merchant.csv', log(new Map([[0, 'new,@,shopA,newbuyer,buyer,,text,在吗,,,,merchant']])));
    expect(first.one.told).toEqual([null]);
    expect(first.one.report).toEqual(first.two.report);
  });

  it('cs-audit explain: a pass that gave up leaves nothing in the trace (the two passes trace each message once)', async () => {
    const file = path.join(dir, 'explain.csv');
    writeFileSync(file, log(new Map([[2000, 'late,@,shopA,b3,agent,b7,text,好的,,,,']])));
    const trace = async (one: boolean) => {
      const tracer = { buyer: 'b7', events: [] as unknown[] };
      const told: (string | null)[] = [];
      await audit({ platform: 'tmall', rulesFile: null, inputs: [file], tz: null, from: null, to: null, strict: false, stdin: Readable.from([]), tracer: tracer as AuditOptions['tracer'], cores: 2, partBytes: 16 * 1024, onePass: one, onOnePass: (why) => told.push(why) });
      return { events: JSON.parse(JSON.stringify(tracer.events)) as unknown[], told };
    };
    const one = await trace(true);
    const two = await trace(false);
    expect(one.told).toEqual([expect.stringContaining('account b7 of shopA')]);
    expect(two.events.length).toBeGreaterThan(10);
    expect(one.events).toEqual(two.events);
  });

  it('a row out of time order once messages were handed over gives up', async () => {
    // The reading thread looks at the first 8 192 rows for their order before it reads the file.
    const late = await both('late-unsorted.csv', log(new Map([[9500, 'x,2026-11-02 00:00:00,shopA,b1,buyer,,text,在吗,,,,']]), 10_000));
    expect(late.one.told).toEqual(['the rows are not in time order']);
    expect(late.one.report).toEqual(late.two.report);
  });

  it("FORMAT.md shop: rows that name none are given the run's only named shop as they come, in one pass: the report of two passes", async () => {
    // A third of shopA's rows name no shop: they are shopA's (the only shop named).
    const some = await both('unnamed-some.csv', oneShop(log(), (row) => row % 3 === 1));
    expect(some.one.told).toEqual([null]);
    expect((some.one.report as Report).shops.map((s) => s.shop)).toEqual(['shopA']);
    expect(some.one.report).toEqual(some.two.report);
    // Two shops named: a row that names none is "(shop)"'s, however many more are named.
    const two = await both('unnamed-two-shops.csv', log(new Map([[1500, 'x,@,,b1,buyer,,text,在吗,,,,']])));
    expect(two.one.told).toEqual([null]);
    expect((two.one.report as Report).shops.map((s) => s.shop)).toEqual(['(shop)', 'shopA', 'shopB']);
    expect(two.one.report).toEqual(two.two.report);
  });

  it('FORMAT.md shop: a log that never names its shop is the shop of its main:sub accounts, or the one the presence log names, in one pass', async () => {
    // b7 answers once, first, as an account (of no named shop): shopA's, so b7's rows as a buyer are its chatter.
    const none = await both('unnamed-all.csv', oneShop(log(new Map([[0, 'x,@,,b3,agent,b7,text,好的,,,,']])), () => true));
    expect(none.one.told).toEqual([null]);
    expect((none.one.report as Report).shops.map((s) => s.shop)).toEqual(['shopA']);
    expect((none.one.report as Report).shops[0]!.messages.excluded.internal_chatter).toBeGreaterThan(0);
    expect(none.one.report).toEqual(none.two.report);
    // Sorted in the one pass (its first rows leave time order): the same.
    const unsorted = await both('unnamed-unsorted.csv', oneShop(log(new Map([[1500, 'x,2026-11-02 00:00:00,,b1,buyer,,text,在吗,,,,']])), () => true), { sortRun: 500 });
    expect(unsorted.one.told).toEqual([null]);
    expect(unsorted.one.report).toEqual(unsorted.two.report);
    // The other inputs name exactly one shop: that is the run's shop, whatever the accounts say.
    const presence = path.join(dir, 'unnamed-presence.csv');
    writeFileSync(presence, ['time,shop,agent,status', '2026-11-02 08:00:00,shopP,shopA:a1,online', '2026-11-02 21:30:00,shopP,shopA:a1,offline'].join('\n') + '\n');
    const beside = await both('unnamed-all-presence.csv', oneShop(log(), () => true), { platform: 'taojiji', presence: [presence] });
    expect(beside.one.told).toEqual([null]);
    expect((beside.one.report as Report).shops.map((s) => s.shop)).toEqual(['shopP']);
    expect(beside.one.report).toEqual(beside.two.report);
  });

  it('FORMAT.md shop: a later row that says another shop for rows that name none gives up: the report of two passes', async () => {
    // Rows without a shop are shopA's (its accounts), until a row names shopB: then they are shopB's.
    // (The reading thread looks at the first 8 192 rows for what they say before it reads the file.)
    const named = await both('unnamed-then-named.csv', oneShop(log(new Map([[9500, 'x,@,shopB,b1,buyer,,text,在吗,,,,']]), 10_000), () => true));
    expect(named.one.told).toEqual(['rows without a shop were audited as shopA, and the rows read since say shopB']);
    expect((named.two.report as Report).shops.map((s) => s.shop)).toEqual(['shopB']);
    expect(named.one.report).toEqual(named.two.report);
    // An account of another main account: the accounts no longer name one shop.
    const mains = await both('unnamed-two-mains.csv', oneShop(log(new Map([[9500, 'x,@,,b1,agent,shopZ:z1,text,好的,,,,']]), 10_000), () => true));
    expect(mains.one.told).toEqual(['rows without a shop were audited as shopA, and the rows read since say (shop)']);
    expect(mains.one.report).toEqual(mains.two.report);
    // Among the first rows, the same rows make no difference: the shop is decided knowing them.
    const early = await both('unnamed-early-named.csv', oneShop(log(new Map([[2000, 'x,@,shopB,b1,buyer,,text,在吗,,,,']])), () => true));
    expect(early.one.told).toEqual([null]);
    expect((early.one.report as Report).shops.map((s) => s.shop)).toEqual(['shopB']);
    expect(early.one.report).toEqual(early.two.report);
  });

  it('issue 8 unsorted input: rows out of time order among the first ones are sorted in the one pass (runs spilled), the same report as two passes', async () => {
    const early = await both('unsorted.csv', log(new Map([[1500, 'x,2026-11-02 00:00:00,shopA,b1,buyer,,text,在吗,,,,']])), { sortRun: 500 });
    expect(early.one.told).toEqual([null]);
    expect(early.one.report).toEqual(early.two.report);
    // A log exported a conversation at a time: every buyer's rows together, each in time order.
    const rows = log().trimEnd().split('\n');
    const body = rows.slice(1).map((l, i) => ({ l, i, b: l.split(',')[3] ?? '' }));
    body.sort((x, y) => (x.b < y.b ? -1 : x.b > y.b ? 1 : x.i - y.i));
    const grouped = await both('by-buyer.csv', [rows[0], ...body.map((x) => x.l)].join('\n') + '\n', { sortRun: 700 });
    expect(grouped.one.told).toEqual([null]);
    expect(grouped.one.report).toEqual(grouped.two.report);
    // An account met late is no reason to give up: every row was read before any was judged.
    const late = log(new Map([[2000, 'late,@,shopA,b3,agent,b7,text,好的,,,,'], [2100, 'x,2026-11-02 00:00:00,shopA,b1,buyer,,text,在吗,,,,']]));
    const account = await both('unsorted-late-account.csv', late, { sortRun: 500 });
    expect(account.one.told).toEqual([null]);
    expect(account.one.report).toEqual(account.two.report);
  });

  it('--strict: the first bad row stops the run with its file and line, as in two passes', async () => {
    const text = log();
    const file = path.join(dir, 'strict.csv');
    writeFileSync(file, text);
    const line = text.split('\n').findIndex((l) => l.startsWith('bad')) + 1;
    const run = (one: boolean) =>
      audit({ platform: 'tmall', rulesFile: null, inputs: [file], tz: null, from: null, to: null, strict: true, stdin: Readable.from([]), cores: 2, partBytes: 16 * 1024, onePass: one });
    await expect(run(true)).rejects.toThrow(`strict.csv:${line}: `);
    await expect(run(false)).rejects.toThrow(`strict.csv:${line}: `);
  });
});
describe('issue 8: a chat log with presence and review logs in one pass', () => {
  it('taojiji with a presence log, kuaishou with a review log: the same report as two passes', async () => {
    const presence = path.join(dir, 'presence.csv');
    const rows = ['time,shop,agent,status'];
    for (const shop of ['shopA', 'shopB', 'shopC']) {
      for (const [day, a] of [['02', 1], ['03', 2], ['04', 0]] as const) {
        rows.push(`2026-11-${day} 08:00:00,${shop},${shop}:a${a},online`, `2026-11-${day} 21:30:00,${shop},${shop}:a${a},offline`);
      }
    }
    writeFileSync(presence, rows.join('\n') + '\n');
    const reviews = path.join(dir, 'reviews.csv');
    writeFileSync(
      reviews,
      [
        'time,shop,review_id,rating,content,reply_time,agent',
        '2026-11-02 09:00:00,shopA,R1,1,太难吃了,2026-11-02 15:00:00,shopA:a1',
        '2026-11-02 10:00:00,shopB,R2,2,一般,,',
        '2026-11-03 11:00:00,shopA,R3,1,坏了,2026-11-05 12:00:00,shopA:a2',
      ].join('\n') + '\n',
    );
    const taojiji = await both('with-presence.csv', log(), { platform: 'taojiji', presence: [presence] });
    expect(taojiji.one.told).toEqual([null]);
    expect((taojiji.one.report as Report).shops.map((s) => s.shop)).toEqual(['shopA', 'shopB', 'shopC']);
    expect(taojiji.one.report).toEqual(taojiji.two.report);
    const kuaishou = await both('with-reviews.csv', log(), { platform: 'kuaishou', reviews: [reviews] });
    expect(kuaishou.one.told).toEqual([null]);
    expect(kuaishou.one.report).toEqual(kuaishou.two.report);
  });

  it('--strict: a bad presence row stops the run before the chat is read (the chat\'s own bad rows come later)', async () => {
    const chat = path.join(dir, 'strict-chat.csv');
    writeFileSync(chat, log());
    const presence = path.join(dir, 'strict-presence.csv');
    writeFileSync(presence, ['time,shop,agent,status', '2026-11-02 08:00:00,shopA,shopA:a1,online', '2026-11-31 21:30:00,shopA,shopA:a1,offline'].join('\n') + '\n');
    const told: (string | null)[] = [];
    const run = audit({
      platform: 'taojiji', rulesFile: null, inputs: [chat], presence: [presence], tz: null, from: null, to: null, strict: true,
      stdin: Readable.from([]), cores: 2, partBytes: 16 * 1024, onOnePass: (why) => told.push(why),
    });
    await expect(run).rejects.toThrow('strict-presence.csv:3: ');
    // The one pass never started: nothing of the chat was read.
    expect(told).toEqual([]);
  });
});

describe('issue 8: several files in time order one after another (a folder of daily exports) in one pass', () => {
  /** log()'s rows cut into files at these row indexes (each file with the header). */
  const cut = (text: string, at: number[]): string[] => {
    const rows = text.trimEnd().split('\n');
    const header = rows[0]!;
    const body = rows.slice(1);
    // Records may hold a newline inside quotes: cut only before a line that starts a record.
    const starts = body.map((l, i) => (/^[^,]*,(\d{4}-|not a time)/.test(l) ? i : -1)).filter((i) => i >= 0);
    const bounds = at.map((n) => starts[Math.min(n, starts.length - 1)]!);
    return [0, ...bounds].map((from, k) => [header, ...body.slice(from, bounds[k] ?? body.length)].join('\n') + '\n');
  };
  const files = async (name: string, texts: string[], options: Partial<AuditOptions> = {}, strict = false) => {
    const inputs = texts.map((text, k) => {
      const file = path.join(dir, `${name}-${k}.csv`);
      writeFileSync(file, text);
      return file;
    });
    const run = async (one: boolean) => {
      const told: (string | null)[] = [];
      const report = await audit({ platform: 'tmall', rulesFile: null, inputs, tz: null, from: null, to: null, strict, stdin: Readable.from([]), details: true, cores: 2, partBytes: 16 * 1024, onePass: one, onOnePass: (why) => told.push(why), ...options });
      return { report: stripped(report), told };
    };
    return { one: await run(true), two: await run(false) };
  };

  it('the same report as two passes: bad rows and repeats per file, a file with only its header, every platform', async () => {
    for (const platform of ['tmall', 'pinduoduo', 'suning']) {
      const parts = cut(log(), [700, 1500, 2200]);
      const { one, two } = await files(`seq-${platform}`, [parts[0]!, parts[1]!, `${HEADER}\n`, parts[2]!, parts[3]!], { platform });
      expect(one.told).toEqual([null]);
      const r = one.report as Report;
      expect(r.input.files).toHaveLength(5);
      expect(r.input.files.filter((f) => f.bad_rows > 0).length).toBeGreaterThan(2);
      expect(r.input.files.filter((f) => f.duplicates > 0).length).toBeGreaterThan(2);
      expect(one.report).toEqual(two.report);
    }
  });

  it('files of other shops that overlap in time (a folder per shop, daily files) in one pass: the report of two passes', async () => {
    const shops = byShop(log());
    expect(shops.map(([shop]) => shop).sort()).toEqual(['shopA', 'shopB']);
    const [a, b] = shops.sort().map(([, text]) => text);
    const one = await files('per-shop', [a!, b!]);
    expect(one.one.told).toEqual([null]);
    const r = one.one.report as Report;
    expect(r.input.files.every((f) => f.duplicates > 0 && f.bad_rows > 0)).toBe(true);
    expect(one.one.report).toEqual(one.two.report);
    // Each shop's log in two daily files, the shops' files taken in turn.
    const [a1, a2] = cut(a!, [600]);
    const [b1, b2] = cut(b!, [200]);
    const turns = await files('per-shop-days', [a1!, b1!, a2!, b2!], { platform: 'pinduoduo' });
    expect(turns.one.told).toEqual([null]);
    expect(turns.one.report).toEqual(turns.two.report);
    // A shop's own files out of time order give up, as before.
    const back = await files('per-shop-back', [a2!, b1!, a1!, b2!]);
    expect(back.one.told).toEqual(['the rows are not in time order']);
    expect(back.one.report).toEqual(back.two.report);
  });

  it('cs-audit explain over files of other shops that overlap in time: every row in time order, so the pass gives up; the same events as two passes', async () => {
    const [a, b] = byShop(log()).sort().map(([, text]) => text);
    const inputs = [a!, b!].map((text, k) => {
      const file = path.join(dir, `explain-shop-${k}.csv`);
      writeFileSync(file, text);
      return file;
    });
    const trace = async (one: boolean) => {
      const tracer = { buyer: 'b7', events: [] as unknown[] };
      const told: (string | null)[] = [];
      await audit({ platform: 'tmall', rulesFile: null, inputs, tz: null, from: null, to: null, strict: false, stdin: Readable.from([]), tracer: tracer as AuditOptions['tracer'], cores: 2, partBytes: 16 * 1024, onePass: one, onOnePass: (why) => told.push(why) });
      return { events: JSON.parse(JSON.stringify(tracer.events)) as unknown[], told };
    };
    const one = await trace(true);
    const two = await trace(false);
    expect(one.told).toEqual(['the rows are not in time order']);
    expect(two.events.length).toBeGreaterThan(10);
    expect(one.events).toEqual(two.events);
  });

  it('files that overlap in time, or come out of time order, give up: the same report as two passes', async () => {
    const parts = cut(log(), [1500]);
    const reversed = await files('reversed', [parts[1]!, parts[0]!]);
    expect(reversed.one.told).toEqual(['the rows are not in time order']);
    expect(reversed.one.report).toEqual(reversed.two.report);
  });

  it('FORMAT.md sub-account chatter: an account met in a later file after its messages as a buyer were judged gives up', async () => {
    const parts = cut(log(new Map([[2000, 'late,@,shopA,b3,agent,b7,text,好的,,,,']])), [1000]);
    const { one, two } = await files('late-account', parts);
    expect(one.told).toEqual([expect.stringContaining('account b7 of shopA')]);
    expect(one.report).toEqual(two.report);
  });

  it('--strict: the first bad row of a later file stops the run with its file and line, as in two passes', async () => {
    const parts = cut(log(), [1500]);
    const line = parts[1]!.split('\n').findIndex((l) => l.startsWith('bad')) + 1;
    expect(parts[0]!.split('\n').some((l) => l.startsWith('bad'))).toBe(true);
    // Only the later file has bad rows.
    const clean = parts[0]!.split('\n').filter((l) => !l.startsWith('bad')).join('\n');
    await expect(files('strict', [clean, parts[1]!], {}, true)).rejects.toThrow(`strict-1.csv:${line}: `);
    const two = audit({ platform: 'tmall', rulesFile: null, inputs: [path.join(dir, 'strict-0.csv'), path.join(dir, 'strict-1.csv')], tz: null, from: null, to: null, strict: true, stdin: Readable.from([]), cores: 2, partBytes: 16 * 1024, onePass: false });
    await expect(two).rejects.toThrow(`strict-1.csv:${line}: `);
  });
  it('the one pass\'s scan is what pass 1 says: files, bad rows, first seqs, order, spans, time span (one file sorted in the pass; three files)', async () => {
    const built = pathToFileURL(path.resolve('dist/ingest/read-chat.js')).href;
    const read = (await import(built)) as typeof import('../../src/ingest/read-chat.js');
    const { Zone } = (await import(pathToFileURL(path.resolve('dist/time/zone.js')).href)) as typeof import('../../src/time/zone.js');
    const options = { zone: new Zone('Asia/Shanghai'), strict: false, profiles: { profile: null, map: null }, cores: 2, partBytes: 16 * 1024, sortRun: 500 };
    const said = (scan: ReturnType<ReturnType<typeof read.chatInOnePass>['scan']>) => ({
      files: scan.files,
      badRows: scan.badRows,
      firstSeq: scan.firstSeq,
      sorted: scan.sorted,
      spans: scan.spans,
      firstT: scan.firstT,
      lastT: scan.lastT,
      // Rows that name no shop: kept apart as pass 1 keeps them, and the shop they are given.
      shops: [...scan.rawDirectories].map(([shop, d]) => [shop, [...d.accounts].sort(), [...d.merchantBuyers].sort()]).sort(),
      named: [...scan.namedShops].sort(),
      mains: [...scan.mainAccounts].sort(),
      fallback: scan.fallbackShop,
    });
    const unsorted = path.join(dir, 'scan-unsorted.csv');
    writeFileSync(unsorted, log(new Map([[1500, 'x,2026-11-02 00:00:00,shopA,b1,buyer,,text,在吗,,,,']])));
    const parts = cut(log(), [900, 2000]).map((text, k) => {
      const file = path.join(dir, `scan-part-${k}.csv`);
      writeFileSync(file, text);
      return file;
    });
    const unnamed = path.join(dir, 'scan-unnamed.csv');
    writeFileSync(unnamed, oneShop(log(), (row) => row % 2 === 0));
    for (const files of [[unsorted], parts, [unnamed]]) {
      const sources = files.map((file) => ({ name: file, path: file, data: null, encoding: 'utf-8' as const }));
      const pass = read.chatInOnePass(sources, options, () => true);
      for await (const batch of pass.batches) expect(batch.length).toBeGreaterThan(0);
      expect(pass.gaveUp()).toBeNull();
      // Pass 2 counts the messages and repeats of each file.
      const scan = await read.scanChat(sources, options);
      for await (const batch of read.chatMessages(scan)) expect(batch.length).toBeGreaterThan(0);
      expect(said(pass.scan())).toEqual(said(scan));
    }
  });
});


describe('issue 8: --covers and --shop without a history in one pass', () => {
  it('rows of other days are counted apart as they come: the report of two passes', async () => {
    const { one, two } = await both('covers.csv', log(), { covers: { from: '2026-11-02', to: '2026-11-03' } });
    expect(one.told).toEqual([null]);
    expect(JSON.stringify(one.report)).toContain('outside_covered_days');
    expect(one.report).toEqual(two.report);
  });

  it('rows of other shops are counted apart as they come (with --covers too): the report of two passes; an unknown shop is the same error', async () => {
    const shop = await both('shop.csv', log(), { shops: ['shopB'] });
    expect(shop.one.told).toEqual([null]);
    expect(JSON.stringify(shop.one.report)).toContain('other_shop');
    expect((shop.one.report as Report).shops.map((s) => s.shop)).toEqual(['shopB']);
    expect(shop.one.report).toEqual(shop.two.report);
    const both2 = await both('shop-covers.csv', log(), { shops: ['shopA'], covers: { from: '2026-11-03', to: '2026-11-03' } });
    expect(both2.one.told).toEqual([null]);
    expect(both2.one.report).toEqual(both2.two.report);
    await expect(both('shop-unknown.csv', log(), { shops: ['shopZ'] })).rejects.toThrow('--shop shopZ: not in the input (shops found: shopA, shopB)');
  });
});

describe('issue 8: a history run given its days (--covers) in one pass', () => {
  /**
   * One night's export of shopA and shopB: a row every `step` seconds from local 00:00 of `day`
   * (Shanghai), rows of the next day's first ten minutes at the end (an export that runs past
   * midnight), and `extra` rows by row number. `start` shifts the row ids, so that a night can repeat the ids of the
   * night before.
   */
  const night = (day: string, extra: Map<number, string> = new Map(), start = 0, seed = 5, step = 60): string => {
    let state = seed;
    const rand = (n: number) => {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
    };
    const base = Date.parse(`${day}T00:00:00+08:00`);
    const at = (i: number) => new Date(base + i * step * 1000 + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');
    const rows = [HEADER];
    for (let i = 0; i < (86_400 + 600) / step; i++) {
      if (extra.has(i)) rows.push(extra.get(i)!.replace('@', at(i)));
      const shop = rand(4) === 0 ? 'shopB' : 'shopA';
      const buyer = `b${rand(60)}`;
      const kind = rand(10);
      rows.push(
        kind < 5
          ? `m${start + i},${at(i)},${shop},${buyer},buyer,,text,"在吗,有货吗",,,,`
          : kind < 8
            ? `m${start + i},${at(i)},${shop},${buyer},agent,${shop}:a${rand(4)},text,"亲\n有的",,,,`
            : kind < 9
              ? `m${start + i},${at(i)},${shop},${buyer},bot,${shop}:bot,text,自动回复,,auto,,`
              : `m${start + i},${at(i)},${shop},${buyer},buyer,${shop}:a1,evaluation,很满意,,,c${start + i},`,
      );
    }
    return rows.join('\n') + '\n';
  };
  /**
   * The nights fed in order into a store, one pass allowed or not, each night's export (or
   * exports: a file per shop): each run's report and what the one pass said.
   */
  const nights = async (name: string, fed: { text: string | string[]; covers: string; shops?: string[] }[], onePass: boolean) => {
    const store = path.join(dir, `${name}-${onePass ? 'one' : 'two'}.sqlite`);
    const out: { report: unknown; told: (string | null)[] }[] = [];
    for (const [k, { text, covers, shops }] of fed.entries()) {
      const inputs = (Array.isArray(text) ? text : [text]).map((t, j) => {
        const file = path.join(dir, `${name}-${k}${Array.isArray(text) ? `-${j}` : ''}.csv`);
        writeFileSync(file, t);
        return file;
      });
      const told: (string | null)[] = [];
      const [from, to] = covers.split('..');
      const report = await audit({
        platform: 'tmall', rulesFile: null, inputs, tz: null, from: null, to: null, strict: false, stdin: Readable.from([]), details: true,
        cores: 2, partBytes: 16 * 1024, onePass, onOnePass: (why) => told.push(why), history: store, covers: { from: from!, to: to ?? from! }, shops: shops ?? null,
      });
      const r = stripped(report) as Report;
      out.push({ report: { ...r, history: { ...r.history, file: null } }, told });
    }
    return out;
  };

  it('nights one by one, a missing night, a night fed again, repeats across midnight, rows past midnight: the reports of two passes', async () => {
    // Night 2's export starts with night 1's last ten rows (23:50-23:59 of 11-02): repeats of the
    // hour before, which the store remembers.
    const first = night('2026-11-02');
    const lines = first.trimEnd().split('\n');
    const lastRows = lines.filter((l) => / 23:5\d:00,/.test(l) && l.includes(',2026-11-02 '));
    expect(lastRows.length).toBe(10);
    const secondRows = night('2026-11-03', new Map(), 1440, 6).split('\n');
    const fed = [
      { text: first, covers: '2026-11-02' },
      { text: [secondRows[0], ...lastRows, ...secondRows.slice(1)].join('\n'), covers: '2026-11-03' },
      // 11-04 is missing.
      { text: night('2026-11-05', new Map(), 5000, 7), covers: '2026-11-05' },
      // 11-05 fed again (a corrected export).
      { text: night('2026-11-05', new Map(), 5000, 8), covers: '2026-11-05' },
    ];
    const one = await nights('nightly', fed, true);
    const two = await nights('nightly', fed, false);
    expect(one.map((r) => r.told)).toEqual([[null], [null], [null], [null]]);
    const last = one[3]!.report as Report;
    expect(last.history!.notices.join('\n')).toContain('no export covers 2026-11-04..2026-11-04');
    expect(last.history!.notices.join('\n')).toContain('replacing 2026-11-05');
    const second = one[1]!.report as Report;
    expect(second.input.files[0]!.duplicates).toBeGreaterThan(0);
    expect(JSON.stringify(second)).toContain('outside_covered_days');
    for (const k of [0, 1, 2, 3]) expect(one[k]!.report).toEqual(two[k]!.report);
  });

  it('a night as a file per shop (overlapping in time), repeats across midnight in each: the reports of two passes', async () => {
    const first = night('2026-11-02');
    const lastRows = first.trimEnd().split('\n').filter((l) => / 23:5\d:00,/.test(l) && l.includes(',2026-11-02 '));
    const secondRows = night('2026-11-03', new Map(), 1440, 6).split('\n');
    const second = [secondRows[0], ...lastRows, ...secondRows.slice(1)].join('\n');
    const fed = [
      { text: byShop(first).sort().map(([, t]) => t), covers: '2026-11-02' },
      { text: byShop(second).sort().map(([, t]) => t), covers: '2026-11-03' },
    ];
    expect(fed.map((f) => f.text.length)).toEqual([2, 2]);
    const one = await nights('per-shop-nights', fed, true);
    const two = await nights('per-shop-nights', fed, false);
    expect(one.map((r) => r.told)).toEqual([[null], [null]]);
    const tonight = one[1]!.report as Report;
    expect(tonight.input.files.reduce((n, f) => n + f.duplicates, 0)).toBeGreaterThan(0);
    for (const k of [0, 1]) expect(one[k]!.report).toEqual(two[k]!.report);
  });

  /** Nights fed to a store with --shop-folders: each night a folder per shop (a file, or several), and a presence log. */
  type FolderNight = { covers: string; shops: [string, string | string[]][]; presence?: string };
  const folderNights = async (name: string, list: FolderNight[], onePass: boolean) => {
    const store = path.join(dir, `${name}-${onePass ? 'one' : 'two'}.sqlite`);
    const out: { report: unknown; told: (string | null)[] }[] = [];
    for (const [k, { covers, shops, presence }] of list.entries()) {
      // The same paths both ways: reports name the files.
      const root = path.join(dir, `${name}-${k}`);
      for (const [shop, text] of shops) {
        mkdirSync(path.join(root, shop), { recursive: true });
        (Array.isArray(text) ? text : [text]).forEach((t, j) => writeFileSync(path.join(root, shop, `chat${j}.csv`), t));
      }
      const presenceFile = path.join(dir, `${name}-${k}-presence.csv`);
      if (presence !== undefined) writeFileSync(presenceFile, presence);
      const told: (string | null)[] = [];
      const report = await audit({
        platform: 'tmall', rulesFile: null, inputs: [root], tz: null, from: null, to: null, strict: false, stdin: Readable.from([]), details: true,
        cores: 2, partBytes: 16 * 1024, onePass, onOnePass: (why) => told.push(why), history: store, covers: { from: covers, to: covers }, shopFolders: true,
        presence: presence === undefined ? [] : [presenceFile],
      });
      const r = stripped(report) as Report;
      out.push({ report: { ...r, history: { ...r.history, file: null } }, told });
    }
    return out;
  };
  /** A night's rows a folder per shop. */
  const folders = (d: string, start: number, seed: number) => byShop(night(d, new Map(), start, seed)).sort();

  it("--shop-folders: a folder per shop; the store's shop without a folder tonight as it left it; a row of it in another's folder gives up: the reports of two passes", async () => {
    const list: FolderNight[] = [
      { covers: '2026-11-02', shops: folders('2026-11-02', 0, 5) },
      // shopB has no folder tonight: the store keeps it as it was.
      { covers: '2026-11-03', shops: folders('2026-11-03', 2000, 6).filter(([shop]) => shop === 'shopA') },
      // A row of shopB in shopA's folder: the two passes feed shopB tonight.
      {
        covers: '2026-11-04',
        shops: folders('2026-11-04', 4000, 7)
          .filter(([shop]) => shop === 'shopA')
          .map(([shop, text]): [string, string] => {
            const lines = text.split('\n');
            const at = lines[500]!.split(',')[1]!;
            return [shop, [...lines.slice(0, 500), `y,${at},shopB,b2,buyer,,text,在吗,,,,`, ...lines.slice(500)].join('\n')];
          }),
      },
    ];
    const one = await folderNights('folders', list, true);
    const two = await folderNights('folders', list, false);
    expect(one.map((r) => r.told)).toEqual([[null], [null], ['rows of shopB were met, a shop the run was not to feed']]);
    expect((one[1]!.report as Report).shops.map((s) => s.shop)).toEqual(['shopA', 'shopB']);
    for (const k of [0, 1, 2]) expect(one[k]!.report).toEqual(two[k]!.report);
  });

  it('--shop-folders: a presence row of another day names no shop to feed (a gap, a night fed again): the reports of two passes', async () => {
    const presence = (at: string) => `time,shop,agent,status\n${at},shopB,shopB:a1,online\n`;
    const gap: FolderNight[] = [
      { covers: '2026-11-02', shops: folders('2026-11-02', 0, 5) },
      { covers: '2026-11-04', shops: folders('2026-11-04', 4000, 7).filter(([s]) => s === 'shopA'), presence: presence('2026-11-03 23:00:00') },
    ];
    const refeed: FolderNight[] = [
      { covers: '2026-11-02', shops: folders('2026-11-02', 0, 5) },
      { covers: '2026-11-03', shops: folders('2026-11-03', 2000, 6) },
      { covers: '2026-11-03', shops: folders('2026-11-03', 2000, 8).filter(([s]) => s === 'shopA'), presence: presence('2026-11-02 23:00:00') },
      { covers: '2026-11-04', shops: folders('2026-11-04', 4000, 7) },
    ];
    for (const [name, list] of [['gap', gap], ['refeed', refeed]] as const) {
      const one = await folderNights(name, list, true);
      const two = await folderNights(name, list, false);
      expect(one.every((r) => r.told[0] === null)).toBe(true);
      for (const k of list.keys()) expect(one[k]!.report).toEqual(two[k]!.report);
    }
  });

  it("--shop-folders: a shop without a folder whose last night is later than tonight's rows; the ids saved are the last hour's: the reports of two passes", async () => {
    // shopA's 11-03 in two files, fed after shopB's 11-03; 11-04's export of shopA starts with its rows of 11-03 23:00-23:08.
    const a3 = folders('2026-11-03', 2000, 8).find(([s]) => s === 'shopA')![1];
    const lines = a3.trimEnd().split('\n');
    const starts = lines.map((l, i) => (/^[^,]*,\d{4}-/.test(l) ? i : -1)).filter((i) => i > 0);
    const mid = starts[Math.floor(starts.length / 2)]!;
    const tail: string[] = [];
    for (let i = 1; i < lines.length; i++) {
      if (!/,2026-11-03 23:0[0-8]:/.test(lines[i]!)) continue;
      tail.push(lines[i]!);
      for (let j = i + 1; j < lines.length && !/^[^,]*,\d{4}-/.test(lines[j]!); j++) tail.push(lines[j]!);
    }
    expect(tail.length).toBeGreaterThan(5);
    const list: FolderNight[] = [
      { covers: '2026-11-02', shops: folders('2026-11-02', 0, 5) },
      { covers: '2026-11-03', shops: folders('2026-11-03', 2000, 6).filter(([s]) => s === 'shopB') },
      { covers: '2026-11-03', shops: [['shopA', [lines.slice(0, mid).join('\n') + '\n', [lines[0], ...lines.slice(mid)].join('\n') + '\n']]] },
      {
        covers: '2026-11-04',
        shops: folders('2026-11-04', 4000, 7).map(([s, t]): [string, string] => {
          if (s !== 'shopA') return [s, t];
          const ls = t.split('\n');
          return [s, [ls[0], ...tail, ...ls.slice(1)].join('\n')];
        }),
      },
    ];
    const one = await folderNights('later', list, true);
    const two = await folderNights('later', list, false);
    expect(one.map((r) => r.told)).toEqual([[null], [null], [null], [null]]);
    for (const k of list.keys()) expect(one[k]!.report).toEqual(two[k]!.report);
  });

  it("FORMAT.md shop: tonight's export names no shop: the store's only shop, its repeats of the night before found, in one pass: the reports of two passes", async () => {
    const first = oneShop(night('2026-11-02'));
    const lastRows = first.trimEnd().split('\n').filter((l) => / 23:5\d:00,/.test(l) && l.includes(',2026-11-02 '));
    const secondRows = night('2026-11-03', new Map(), 1440, 6).split('\n');
    const fed = [
      { text: first, covers: '2026-11-02' },
      // Its accounts are not main:sub ones either: only the store knows the shop.
      { text: oneShop([secondRows[0], ...lastRows, ...secondRows.slice(1)].join('\n'), () => true).replaceAll('shopA:', ''), covers: '2026-11-03' },
    ];
    const one = await nights('unnamed-nights', fed, true);
    const two = await nights('unnamed-nights', fed, false);
    expect(one.map((r) => r.told)).toEqual([[null], [null]]);
    const second = one[1]!.report as Report;
    expect(second.shops.map((s) => s.shop)).toEqual(['shopA']);
    expect(second.input.files[0]!.duplicates).toBeGreaterThan(0);
    for (const k of [0, 1]) expect(one[k]!.report).toEqual(two[k]!.report);
  });

  it("FORMAT.md sub-account chatter across nights: a buyer of an earlier night first named an account or flagged merchant tonight is a notice, as in two passes; tonight's judged buyer gives the pass up", async () => {
    const first = night('2026-11-02', new Map([[30, 'x1,@,shopA,xiaoli,buyer,,text,在吗,,,,'], [31, 'x2,@,shopA,b7,buyer,,text,在吗,,,,']]));
    // Before any of their rows tonight: xiaoli answers as the shop's agent, b7 is flagged merchant.
    const second = night('2026-11-03', new Map([[0, 'y1,@,shopA,b3,agent,xiaoli,text,好的,,,,'], [1, 'y2,@,shopA,b7,buyer,,text,在吗,,,,merchant']]), 3000, 9);
    const fed = [
      { text: first, covers: '2026-11-02' },
      { text: second, covers: '2026-11-03' },
    ];
    const one = await nights('late', fed, true);
    const two = await nights('late', fed, false);
    expect(one.map((r) => r.told)).toEqual([[null], [null]]);
    const notices = (one[1]!.report as Report).history!.notices.join('\n');
    expect(notices).toContain('xiaoli first appears as the shop');
    expect(notices).toContain('buyer b7 is first flagged merchant');
    expect(one[1]!.report).toEqual(two[1]!.report);
    // Tonight's own buyer zz (one question, nothing else) named an account after that was judged
    // (far enough into the night that the reading thread has handed it over): two passes.
    const third = night('2026-11-04', new Map([[100, 'z0,@,shopA,zz,buyer,,text,在吗,,,,'], [16_000, 'z1,@,shopA,b3,agent,zz,text,好的,,,,']]), 6000, 10, 5);
    const gaveUp = await nights('late3', [...fed, { text: third, covers: '2026-11-04' }], true);
    const twoAgain = await nights('late3', [...fed, { text: third, covers: '2026-11-04' }], false);
    expect(gaveUp[2]!.told).toEqual([expect.stringContaining('account zz of shopA')]);
    expect(gaveUp[2]!.report).toEqual(twoAgain[2]!.report);
  });

  it("FORMAT.md sub-account chatter across nights: a buyer with a conversation from an earlier night, fed tonight and named an account late tonight, gives the pass up", async () => {
    const fed = [
      { text: night('2026-11-02'), covers: '2026-11-02' },
      { text: night('2026-11-03', new Map(), 3000, 9), covers: '2026-11-03' },
      // b12 wrote on both nights before (its conversation is in the store), writes early tonight, and answers as the shop late tonight.
      { text: night('2026-11-04', new Map([[100, 'z0,@,shopA,b12,buyer,,text,在吗,,,,'], [16_000, 'z1,@,shopA,b3,agent,b12,text,好的,,,,']]), 6000, 10, 5), covers: '2026-11-04' },
    ];
    const one = await nights('restored-judged', fed, true);
    const two = await nights('restored-judged', fed, false);
    expect(JSON.stringify(two[1]!.report)).toContain('"b12"');
    expect(one.map((r) => r.told)).toEqual([[null], [null], [expect.stringContaining('account b12 of shopA')]]);
    expect(one[2]!.report).toEqual(two[2]!.report);
  });

  it('FORMAT.md merchant: a merchant the store knows, flagged again late tonight after rows without the flag, is no reason to give up', async () => {
    const first = night('2026-11-02', new Map([[30, 'x1,@,shopA,b7,buyer,,text,在吗,,,,merchant']]));
    const second = night('2026-11-03', new Map([[6, 'y1,@,shopA,b7,buyer,,text,在吗,,,,'], [16_000, 'y2,@,shopA,b7,buyer,,text,在吗,,,,merchant']]), 3000, 9, 5);
    const fed = [
      { text: first, covers: '2026-11-02' },
      { text: second, covers: '2026-11-03' },
    ];
    const one = await nights('known', fed, true);
    const two = await nights('known', fed, false);
    expect(one.map((r) => r.told)).toEqual([[null], [null]]);
    expect(one[1]!.report).toEqual(two[1]!.report);
  });

  it('--shop: the named shop\'s nights, rows of the other counted apart; the store\'s other shop stays as it was: the reports of two passes', async () => {
    // Both shops' night 1, then night 2 for shopB only, then night 3 for both (shopA's 11-03 missing).
    const fed = [
      { text: night('2026-11-02'), covers: '2026-11-02' },
      { text: night('2026-11-03', new Map(), 3000, 9), covers: '2026-11-03', shops: ['shopB'] },
      { text: night('2026-11-04', new Map(), 6000, 10), covers: '2026-11-04' },
    ];
    const one = await nights('shops', fed, true);
    const two = await nights('shops', fed, false);
    expect(one.map((r) => r.told)).toEqual([[null], [null], [null]]);
    expect(JSON.stringify(one[1]!.report)).toContain('other_shop');
    expect((one[2]!.report as Report).history!.notices.join('\n')).toContain('shop shopA: no export covers 2026-11-03');
    for (const k of [0, 1, 2]) expect(one[k]!.report).toEqual(two[k]!.report);
  });

  it('--strict: a bad row is the error, as in two passes, also when the store could not feed the days alone', async () => {
    const fed = [
      { text: night('2026-11-02'), covers: '2026-11-02' },
      { text: night('2026-11-03', new Map(), 3000, 9), covers: '2026-11-03' },
    ];
    await nights('strict-plan', fed, true);
    // 11-02 again alone, with a bad row: the store's 11-03 goes on from it (refused), and the row is bad.
    const bad = night('2026-11-02', new Map([[700, 'bad,not a time,shopA,b1,buyer,,text,在吗,,,,']]), 0, 11);
    const file = path.join(dir, 'strict-plan-again.csv');
    writeFileSync(file, bad);
    const line = bad.split('\n').findIndex((l) => l.startsWith('bad,')) + 1;
    const run = (onePass: boolean) =>
      audit({
        platform: 'tmall', rulesFile: null, inputs: [file], tz: null, from: null, to: null, strict: true, stdin: Readable.from([]),
        cores: 2, partBytes: 16 * 1024, onePass, history: path.join(dir, 'strict-plan-one.sqlite'), covers: { from: '2026-11-02', to: '2026-11-02' },
      });
    await expect(run(true)).rejects.toThrow(`strict-plan-again.csv:${line}: `);
    await expect(run(false)).rejects.toThrow(`strict-plan-again.csv:${line}: `);
  });
});
