// Issue 8: the saved engine state writes conversations at rest in columns (state-codec.ts @4).
// What is read back must be what was saved, in the same order; states written whole (@3) read as before.
import { deserialize, serialize } from 'node:v8';
import { gunzipSync, gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { ShopState } from '../../src/engine/audit-shop.js';
import { restedState, type SegmenterState } from '../../src/engine/segmenter.js';
import { decodeShop, encodeShop, type SavedShop } from '../../src/history/state-codec.js';

const awake = (lastAccount: string | null, t: number): SegmenterState => ({ ...restedState(lastAccount), lastEligibleT: t, lastEligibleDay: 20_000 });

function saved(conversations: ShopState['conversations'], conduct?: ShopState['conduct']): SavedShop {
  return {
    state: { conversations, counters: new Map(), activity: new Map(), used: 3, events: 1, evaluations: 0, excluded: new Map([['recalled', 2]]), ...(conduct ? { conduct } : {}) },
    directory: { accounts: new Set(['s:amy']), hasAccounts: true } as unknown as SavedShop['directory'],
    seen: new Map([['s\u0000m1', 1_000]]),
  };
}

describe('saved engine state (@4: conversations at rest in columns)', () => {
  // As ShopAuditor.saveState writes them: at rest with no time known (Infinity), awake with their last message's.
  const rest = (account: string | null) => ({ segmenter: restedState(account), countedDay: Number.NaN, lastT: Infinity });
  const conversations: ShopState['conversations'] = new Map([
    ['b1', rest('s:amy')],
    ['b2', { segmenter: awake('s:amy', 5_000), countedDay: 20_000, lastT: 5_000 }],
    ['b3', rest(null)],
    // At rest in the segmenter, but its day is counted: kept whole.
    ['b4', { segmenter: restedState('s:bob'), countedDay: 20_001, lastT: 6_000 }],
    ['b5', rest('s:bob')],
    // A name the columns cannot hold (they are joined with NUL): kept whole.
    ['b\u00006', rest('s:amy')],
    ['客户七', rest('s:amy')],
    // Restable, but the conduct checker keeps something of it: a later run does not rest it as it
    // restores it, so its last message's time is kept (whole).
    ['b8', { segmenter: restedState('s:amy'), countedDay: Number.NaN, lastT: 7_000 }],
    // At rest without a session (its data ended since: a missing night).
    ['b9', { segmenter: restedState('s:bob', null), countedDay: Number.NaN, lastT: Infinity }],
  ]);
  const conduct = { conversations: new Map([['b8', { unanswered: 0, lastCountedT: null, lastBuyerT: 7_000, lastShopT: null, counts: null }]]), findings: [] } as unknown as ShopState['conduct'];

  it('reads back every conversation, in the saved order, with the same state', () => {
    const back = decodeShop(encodeShop(saved(conversations, conduct)));
    expect([...back.state.conversations.keys()]).toEqual([...conversations.keys()]);
    expect(back).toEqual(saved(conversations, conduct));
  });

  it('writes the ones at rest as columns, not objects: only b2, b4, the NUL name and b8 are kept whole', () => {
    const written = deserialize(gunzipSync(encodeShop(saved(conversations, conduct)))) as SavedShop & { rested: { buyers: string; accounts: (string | null)[] } };
    expect([...written.state.conversations.keys()]).toEqual(['b2', 'b4', 'b\u00006', 'b8']);
    expect(written.rested.buyers.split('\u0000')).toEqual(['b1', 'b3', 'b5', '客户七', 'b9']);
    expect(written.rested.accounts).toEqual(['s:amy', null, 's:bob']);
    expect([...(written.rested as unknown as { rested: Uint8Array }).rested]).toEqual([1, 0, 1, 0, 1, 0, 1, 0, 2]);
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
