import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Message } from '../../src/model.js';
import { DEDUP_HORIZON_MS, dedupKey, RepeatFilter } from '../../src/ingest/repeats.js';

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
