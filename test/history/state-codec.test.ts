// Issue 8: the saved engine state writes conversations at rest in columns (state-codec.ts @4).
// What is read back must be what was saved, in the same order; states written whole (@3) read as before.
import { deserialize, serialize } from 'node:v8';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ShopState } from '../../src/engine/audit-shop.js';
import { restedState, type SegmenterState } from '../../src/engine/segmenter.js';
import { decodeShop, encodeShop, type SavedShop } from '../../src/history/state-codec.js';

const awake = (lastAccount: string | null, t: number): SegmenterState => ({ ...restedState(lastAccount), lastEligibleT: t, lastEligibleDay: 20_000 });

function saved(conversations: ShopState['conversations']): SavedShop {
  return {
    state: { conversations, counters: new Map(), activity: new Map(), used: 3, events: 1, evaluations: 0, excluded: new Map([['recalled', 2]]) },
    directory: { accounts: new Set(['s:amy']), hasAccounts: true } as unknown as SavedShop['directory'],
    seen: new Map([['s\u0000m1', 1_000]]),
  };
}

describe('saved engine state (@4: conversations at rest in columns)', () => {
  const conversations: ShopState['conversations'] = new Map([
    ['b1', { segmenter: restedState('s:amy'), countedDay: Number.NaN }],
    ['b2', { segmenter: awake('s:amy', 5_000), countedDay: 20_000 }],
    ['b3', { segmenter: restedState(null), countedDay: Number.NaN }],
    // At rest in the segmenter, but its day is counted: kept whole.
    ['b4', { segmenter: restedState('s:bob'), countedDay: 20_001 }],
    ['b5', { segmenter: restedState('s:bob'), countedDay: Number.NaN }],
    // A name the columns cannot hold (they are joined with NUL): kept whole.
    ['b\u00006', { segmenter: restedState('s:amy'), countedDay: Number.NaN }],
    ['客户七', { segmenter: restedState('s:amy'), countedDay: Number.NaN }],
  ]);

  it('reads back every conversation, in the saved order, with the same state', () => {
    const back = decodeShop(encodeShop(saved(conversations)));
    expect([...back.state.conversations.keys()]).toEqual([...conversations.keys()]);
    expect(back).toEqual(saved(conversations));
  });

  it('writes the ones at rest as columns, not objects: only b2, b4 and the NUL name are kept whole', () => {
    const written = deserialize(gunzipSync(encodeShop(saved(conversations)))) as SavedShop & { rested: { buyers: string; accounts: (string | null)[] } };
    expect([...written.state.conversations.keys()]).toEqual(['b2', 'b4', 'b\u00006']);
    expect(written.rested.buyers.split('\u0000')).toEqual(['b1', 'b3', 'b5', '客户七']);
    expect(written.rested.accounts).toEqual(['s:amy', null, 's:bob']);
  });

  it('shares one frozen state per account among the conversations at rest: a change throws', () => {
    const back = decodeShop(encodeShop(saved(conversations))).state.conversations;
    expect(back.get('b1')).toBe(back.get('客户七'));
    expect(() => {
      back.get('b1')!.segmenter.unanswered.push(null as never);
    }).toThrow(TypeError);
  });

  it('no conversation at all', () => {
    expect(decodeShop(encodeShop(saved(new Map())))).toEqual(saved(new Map()));
  });

  it('a state written whole (@3, before the columns) reads as it was written', () => {
    expect(decodeShop(gzipSync(serialize(saved(conversations))))).toEqual(saved(conversations));
  });
});
