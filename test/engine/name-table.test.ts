import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConversationIndex } from '../../src/engine/conversation-index.js';
import { hashOf, NameTable } from '../../src/engine/name-table.js';

// Code units at the edges of each byte width (1, 2 and 3 bytes), lone surrogates and a pair.
const EDGES = ['', 'a', '\u007f', '\u0080', '\u00e9', '\u07ff', '\u0800', '王', '\uffff', '\ud800', '\udfff', '😀'];
const unit = fc.oneof(
  fc.constantFrom(...EDGES.filter((e) => e.length > 0)),
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('t', 'b', '_', '1', '2'),
);
const name = fc.array(unit, { maxLength: 12 }).map((units) => units.join(''));

describe('NameTable: buyers numbered as first met (issue 8 memory)', () => {
  // With every hash alike (or a few), every look-up compares names byte by byte, as two names whose hashes collide are.
  const hashes = { usual: hashOf, one: () => 7, few: (s: string) => hashOf(s) & 3 };
  it.each(Object.keys(hashes))('gives the numbers a Map of first sightings would, finds only names added, and gives each name back (%s hashes)', (which) => {
    fc.assert(
      fc.property(fc.array(name, { maxLength: which === 'usual' ? 3000 : 300 }), (names) => {
        const table = new NameTable(hashes[which as keyof typeof hashes]);
        const seen = new Map<string, number>();
        for (const s of names) {
          expect(table.find(s)).toBe(seen.get(s) ?? -1);
          if (!seen.has(s)) seen.set(s, seen.size);
          expect(table.add(s)).toBe(seen.get(s));
        }
        expect(table.size).toBe(seen.size);
        for (const [s, n] of seen) {
          expect(table.nameOf(n)).toBe(s);
          expect(table.find(s)).toBe(n);
        }
      }),
      { numRuns: 200 },
    );
  });

  it.each([false, true])('tells apart names that differ at a byte width edge, by a prefix, or only in length (all hashes alike: %s)', (alike) => {
    const table = alike ? new NameTable(() => 0) : new NameTable();
    const names = [...EDGES, 'ab', 'abc', 'a\u0000', '\u0000', '\u00e9\u00e9', '\u0800a', 'a\u0800', '\ud83d', '\ude00', '\ude00\ud83d'];
    names.forEach((s, i) => expect(table.add(s)).toBe(i));
    names.forEach((s, i) => {
      expect(table.find(s)).toBe(i);
      expect(table.nameOf(i)).toBe(s);
    });
    expect(table.find('abcd')).toBe(-1);
    expect(table.find('\u00e9')).toBe(4);
  });

  it('holds many long names across its pool and table growing (100 000 names of up to 300 characters)', () => {
    const table = new NameTable();
    const made = (i: number) => `买家_${i}_`.repeat(1 + (i % 30));
    for (let i = 0; i < 100_000; i++) expect(table.add(made(i))).toBe(i);
    for (let i = 0; i < 100_000; i += 997) {
      expect(table.find(made(i))).toBe(i);
      expect(table.nameOf(i)).toBe(made(i));
    }
    expect(table.find(made(100_000))).toBe(-1);
  });
});

describe('ConversationIndex: a buyer in a slot or at rest, as a Map of names would hold it', () => {
  it('holds what a Map set in the same order holds, and iterates in its order', () => {
    type Rest = string | null | { account: string | null };
    const shared: Rest[] = ['agent1', null, { account: 'agent2' }, { account: null }];
    const step = fc.tuple(fc.constantFrom('b1', 'b2', 'b3', '王', 'b5', ''), fc.oneof(fc.nat(50), fc.constantFrom(...shared)));
    fc.assert(
      fc.property(fc.array(step, { maxLength: 200 }), (steps) => {
        const index = new ConversationIndex<Rest>();
        const map = new Map<string, number | Rest>();
        for (const [buyer, held] of steps) {
          const found = index.find(buyer);
          const n = found < 0 ? index.add(buyer) : found;
          if (typeof held === 'number') index.inSlot(n, held);
          else index.atRest(n, held);
          map.set(buyer, held);
        }
        expect(index.size).toBe(map.size);
        [...map].forEach(([buyer, held], n) => {
          expect(index.buyerOf(n)).toBe(buyer);
          expect(index.find(buyer)).toBe(n);
          expect(index.slotOf(n)).toBe(typeof held === 'number' ? held : -1);
          expect(index.restOf(n)).toBe(typeof held === 'number' ? undefined : held);
        });
      }),
    );
  });
});
