import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/model.js';
import { DEDUP_HORIZON_MS, dedupKey, RepeatFilter, ShopRepeatFilters } from '../../src/ingest/repeats.js';

const HOUR = 3_600_000;
const T0 = Date.UTC(2026, 9, 1, 2, 0, 0);

function msg(shop: string, id: string | null, t: number): Message {
  return { t, seq: 0, shop, buyer: 'b', sender: 'buyer', agent: null, type: 'text', content: '', recalled: false, botMode: null, flags: [], id, card: null, level: null, origin: { file: 'f', line: 1 } };
}

/** Which of the messages the filter keeps (false) or drops as repeats (true). */
function verdicts(filter: RepeatFilter, ms: Message[]): boolean[] {
  return ms.map((m) => filter.repeats(m));
}

describe('FORMAT.md id: rows with the same (shop, id) are one message (tmall.md ties-and-duplicates)', () => {
  it('a copy within the hour is a repeat, exactly an hour later too; an hour and 1 ms later it is a message again', () => {
    const f = new RepeatFilter([]);
    expect(verdicts(f, [msg('s', 'm1', T0), msg('s', 'm1', T0), msg('s', 'm1', T0 + HOUR)])).toEqual([false, true, true]);
    // The copy an hour after the first kept one is a repeat; m1's memory is still from T0.
    expect(verdicts(f, [msg('s', 'm1', T0 + HOUR + 1)])).toEqual([false]);
    expect(verdicts(f, [msg('s', 'm1', T0 + 2 * HOUR + 1)])).toEqual([true]);
  });

  it('ids are per shop; a row without id is never a repeat', () => {
    const f = new RepeatFilter([]);
    expect(verdicts(f, [msg('a', 'm1', T0), msg('b', 'm1', T0), msg('a', null, T0), msg('a', null, T0), msg('b', 'm1', T0 + 1)])).toEqual([false, false, false, false, true]);
  });

  it('a history run goes on from the ids of the last hour it is given, and gives back what it remembers', () => {
    const f = new RepeatFilter([
      [dedupKey('s', 'late'), T0 - 10],
      [dedupKey('s', 'early'), T0 - HOUR - 1],
    ]);
    expect(verdicts(f, [msg('s', 'late', T0), msg('s', 'early', T0)])).toEqual([true, false]);
    expect(new Map(f.remembered())).toEqual(
      new Map([
        [dedupKey('s', 'late'), T0 - 10],
        [dedupKey('s', 'early'), T0],
      ]),
    );
    // An hour on, both are forgotten.
    f.repeats(msg('s', 'x', T0 + HOUR + 1));
    expect(f.remembered()).toEqual([[dedupKey('s', 'x'), T0 + HOUR + 1]]);
  });

  it("a history's id later than the rows does not keep the ids after it remembered past the hour", () => {
    // b's id of a later day is kept first (the ids are kept oldest first, the history's before the rows).
    const f = new RepeatFilter([[dedupKey('b', 'late'), T0 + 5 * HOUR]]);
    f.repeats(msg('a', 'm1', T0));
    f.repeats(msg('a', 'm2', T0 + 2 * HOUR));
    expect(f.remembered()).toEqual([
      [dedupKey('b', 'late'), T0 + 5 * HOUR],
      [dedupKey('a', 'm2'), T0 + 2 * HOUR],
    ]);
  });

  it('thousands of ids within the hour: the memory grows and keeps every one of them', () => {
    const f = new RepeatFilter([]);
    const first = Array.from({ length: 5000 }, (_, i) => msg(i % 2 === 0 ? 'a' : 'b', `m${i}`, T0 + i));
    expect(verdicts(f, first).every((r) => !r)).toBe(true);
    // Every one is still remembered, in either shop; the other shop's ids are not its repeats.
    expect(verdicts(f, first.map((m) => msg(m.shop, m.id, T0 + 10_000))).every((r) => r)).toBe(true);
    expect(verdicts(f, first.map((m) => msg(m.shop === 'a' ? 'b' : 'a', m.id, T0 + 10_001))).every((r) => !r)).toBe(true);
    expect(f.remembered()).toHaveLength(10_000);
  });

  it('seeded with thousands of ids, some later than the first message', () => {
    const seen: [string, number][] = Array.from({ length: 3000 }, (_, i) => [dedupKey('s', `m${i}`), T0 - HOUR + i * 2000]);
    const f = new RepeatFilter(seen);
    // m0 was kept at T0 - 1 h: an hour before T0 exactly, so a repeat at T0; m1 (T0 - 1 h + 2 s)
    // too. m2999 was kept at T0 + 2 398 s, after the first message. An hour and 3 ms after
    // T0 - 1 h + 3 ms... : at T0 + 3 s, m0's memory (T0 - 1 h) is over an hour old: a message again.
    expect(verdicts(f, [msg('s', 'm0', T0), msg('s', 'm1', T0 + 1), msg('s', 'm2999', T0 + 10), msg('s', 'm0', T0 + 3000)])).toEqual([true, true, true, false]);
  });

  it('decides as a memory that never forgets would, on streams in time order (many ids, shops, growth and forgetting)', () => {
    // Sparse streams that cross the hour often, and dense ones that fill and grow the table.
    const sparse = fc.record({ gap: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 120_000 }), fc.integer({ min: HOUR - 2, max: HOUR + 2 })), shop: fc.constantFrom('a', 'b'), id: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 3000 }).map((n) => `m${n}`)) });
    const dense = fc.record({
      gap: fc.oneof({ arbitrary: fc.integer({ min: 0, max: 3 }), weight: 200 }, { arbitrary: fc.constant(HOUR / 4), weight: 1 }),
      shop: fc.constantFrom('a', 'b'),
      id: fc.integer({ min: 0, max: 6000 }).map((n) => `m${n}`),
    });
    fc.assert(
      fc.property(fc.oneof(fc.array(sparse, { minLength: 1, maxLength: 4000 }), fc.array(dense, { minLength: 1000, maxLength: 6000 })), (steps) => {
        const f = new RepeatFilter([]);
        const kept = new Map<string, number>();
        let t = T0;
        for (const s of steps) {
          t += s.gap;
          const expected = s.id !== null && kept.has(dedupKey(s.shop, s.id)) && t - kept.get(dedupKey(s.shop, s.id))! <= DEDUP_HORIZON_MS;
          if (s.id !== null && !expected) kept.set(dedupKey(s.shop, s.id), t);
          if (f.repeats(msg(s.shop, s.id, t)) !== expected) return false;
        }
        // It remembers exactly the kept ids of the last hour.
        const lastHour = [...kept].filter(([, at]) => at >= t - DEDUP_HORIZON_MS);
        expect(new Map(f.remembered())).toEqual(new Map(lastHour));
        return true;
      }),
      { numRuns: 1000 },
    );
  });
});

describe('issue 8: the one pass over files of several shops that overlap in time (ShopRepeatFilters)', () => {

  it("a shop's ids are found in its own rows only, whatever the other shops' times", () => {
    const f = new ShopRepeatFilters([]);
    // Shop a's file (T0 .. T0 + 2 h), then shop b's (T0 ..): time goes back at b's first row.
    expect(f.repeats(msg('a', 'm1', T0))).toBe(false);
    expect(f.repeats(msg('a', 'm1', T0 + HOUR))).toBe(true);
    expect(f.repeats(msg('a', 'm2', T0 + 2 * HOUR))).toBe(false);
    expect(f.repeats(msg('b', 'm1', T0))).toBe(false);
    expect(f.repeats(msg('b', 'm1', T0 + 10))).toBe(true);
    // Back to shop a (a later file of it): m2 of T0 + 2 h is still in memory.
    expect(f.repeats(msg('a', 'm2', T0 + 2 * HOUR + 5))).toBe(true);
    // It remembers the ids of the hour before the latest row of any shop (T0 + 2 h + 5): a's m2 only.
    expect(f.remembered()).toEqual([[dedupKey('a', 'm2'), T0 + 2 * HOUR]]);
  });

  it("a history's ids go to their shop's filter; those of a shop without a row are given back within the hour", () => {
    const f = new ShopRepeatFilters([
      [dedupKey('a', 'x'), T0 - 10],
      [dedupKey('c', 'y'), T0 - 20],
      [dedupKey('c', 'old'), T0 - HOUR - 30],
    ]);
    expect(f.repeats(msg('a', 'x', T0))).toBe(true);
    expect(f.repeats(msg('b', 'x', T0 + 5))).toBe(false);
    expect(f.remembered()).toEqual([
      [dedupKey('c', 'y'), T0 - 20],
      [dedupKey('a', 'x'), T0 - 10],
      [dedupKey('b', 'x'), T0 + 5],
    ]);
  });

  it('decides and remembers as one RepeatFilter over the same rows in time order (random shops, ids and times, a history)', () => {
    const row = fc.record({ t: fc.integer({ min: 0, max: 3 * HOUR }), shop: fc.constantFrom('a', 'b', 'c'), id: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 40 }).map((n) => `m${n}`)) });
    // A history's ids may be later than tonight's rows (a shop whose last night is a later day).
    const seed = fc.record({ t: fc.integer({ min: -2 * HOUR, max: 4 * HOUR }), shop: fc.constantFrom('a', 'b', 'c', 'd'), id: fc.integer({ min: 0, max: 40 }).map((n) => `m${n}`) });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 300 }), fc.array(seed, { maxLength: 30 }), (rows, seeds) => {
        const seen: [string, number][] = seeds.map((s) => [dedupKey(s.shop, s.id), T0 + s.t]);
        // The rows in file order (seq); one filter sees them in time order. The reading thread sees
        // each shop's rows in time order, in files taken in turns: a's first half, b's, c's, a's second...
        const ms = rows.map((r, seq) => ({ ...msg(r.shop, r.id, T0 + r.t), seq }));
        const byTime = [...ms].sort((x, y) => x.t - y.t || x.seq - y.seq);
        const halves = ['a', 'b', 'c'].map((shop) => byTime.filter((m) => m.shop === shop)).map((own) => [own.slice(0, own.length >> 1), own.slice(own.length >> 1)]);
        const byShop = [0, 1].flatMap((half) => halves.flatMap((own) => own[half]!));
        const one = new RepeatFilter(seen);
        const dropped = new Set(byTime.filter((m) => one.repeats(m)).map((m) => m.seq));
        const shops = new ShopRepeatFilters(seen);
        expect(new Set(byShop.filter((m) => shops.repeats(m)).map((m) => m.seq))).toEqual(dropped);
        expect(new Map(shops.remembered())).toEqual(new Map(one.remembered()));
        const times = shops.remembered().map(([, t]) => t);
        expect(times).toEqual([...times].sort((x, y) => x - y));
      }),
      { numRuns: 500 },
    );
  });
});
