import { deserialize, serialize } from 'node:v8';
import { gunzipSync, gzipSync } from 'node:zlib';
import { savedAtRest, type ShopState } from '../engine/audit-shop.js';
import { restedAccount } from '../engine/segmenter.js';
import type { ShopDirectory } from '../ingest/read-chat.js';

/**
 * The version of the saved engine state. A change to what the engine keeps between messages
 * (a new field of a segmenter or counter) changes it, and stores written before are refused
 * with a request to rebuild rather than read wrongly. @2: a buyer-day counter keeps each buyer's
 * open days in an array (issue 8). @3: an evaluation counter keeps its cards in columns, keyed by
 * the card id alone (issue 8). @4: conversations at rest are written in columns (see encodeShop);
 * the engine keeps the same state, so @3 states are read as they are.
 */
export const STATE_FORMAT = 'cs-audit/engine-state@4';

/** Formats this cs-audit reads: a store holding one of them goes on, and is marked STATE_FORMAT. */
export const READABLE_STATE_FORMATS: readonly string[] = ['cs-audit/engine-state@3', STATE_FORMAT];

/** One shop at the end of a run's days: the engine, who the shop's accounts are, the last hour's ids. */
export interface SavedShop {
  state: ShopState;
  directory: ShopDirectory;
  /** De-duplication memory: id key → time, for ids a later day's copy could still repeat. */
  seen: Map<string, number>;
}

/**
 * The conversations at rest (nothing kept but the last account: most of a month's buyers) in
 * columns, in place of an object pair each: their buyers joined with NUL (a buyer name never
 * holds one: FORMAT.md), their accounts as indexes into the distinct accounts (null among them), and
 * for every conversation in the saved order whether it is one of them. Issue 8: written as
 * objects, they were nine tenths of a month's state (31 of 35 MB for 137 000 conversations), and
 * a nightly run on one day's log spent most of its time writing and reading them.
 */
interface RestedColumns {
  buyers: string;
  accounts: (string | null)[];
  accountOf: Int32Array;
  /**
   * Per conversation in order: 1 at rest with its session open in name, 2 at rest without a
   * session (either is the next of the columns), 0 kept whole in `conversations`.
   */
  rested: Uint8Array;
}

type Written = SavedShop & { rested?: RestedColumns };

const SEPARATOR = '\u0000';

/** V8's structured serialization keeps maps, sets, shared objects and -Infinity/NaN as they are. */
export function encodeShop(saved: SavedShop): Uint8Array {
  const all = saved.state.conversations;
  const kept: ShopState['conversations'] = new Map();
  const buyers: string[] = [];
  const accounts: (string | null)[] = [];
  const accountIndex = new Map<string | null, number>();
  const accountOf = new Int32Array(all.size);
  const rested = new Uint8Array(all.size);
  let i = 0;
  const conduct = saved.state.conduct?.conversations;
  for (const [buyer, c] of all) {
    // Only what a later run rests as it restores it (ShopAuditor.restoreState): its last
    // message's time is not written.
    const restsAgain = Number.isNaN(c.countedDay) && conduct?.has(buyer) !== true && !buyer.includes(SEPARATOR);
    const account = restsAgain ? restedAccount(c.segmenter) : undefined;
    if (account === undefined) kept.set(buyer, c);
    else {
      let a = accountIndex.get(account);
      if (a === undefined) {
        a = accounts.length;
        accounts.push(account);
        accountIndex.set(account, a);
      }
      accountOf[buyers.length] = a;
      buyers.push(buyer);
      rested[i] = c.segmenter.session === true ? 1 : 2;
    }
    i++;
  }
  const written: Written = {
    ...saved,
    state: { ...saved.state, conversations: kept },
    rested: { buyers: buyers.join(SEPARATOR), accounts, accountOf: accountOf.slice(0, buyers.length), rested },
  };
  // Level 1: a third of the default level's time (49 against 162 ms for a month's 15 MB), a fifth larger.
  return gzipSync(serialize(written), { level: 1 });
}

export function decodeShop(bytes: Uint8Array): SavedShop {
  const { rested, ...saved } = deserialize(gunzipSync(bytes)) as Written;
  // @3: the conversations were written whole.
  if (rested === undefined) return saved;
  const kept = saved.state.conversations[Symbol.iterator]();
  const buyers = rested.buyers === '' ? [] : rested.buyers.split(SEPARATOR);
  const conversations: ShopState['conversations'] = new Map();
  const open = rested.accounts.map((account) => savedAtRest(account));
  const none = rested.accounts.map((account) => savedAtRest(account, null));
  let next = 0;
  for (let i = 0; i < rested.rested.length; i++) {
    if (rested.rested[i] !== 0) {
      conversations.set(buyers[next]!, (rested.rested[i] === 1 ? open : none)[rested.accountOf[next]!]!);
      next++;
    } else {
      const [buyer, c] = kept.next().value!;
      conversations.set(buyer, c);
    }
  }
  return { ...saved, state: { ...saved.state, conversations } };
}
