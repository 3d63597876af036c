import { deserialize, serialize } from 'node:v8';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { ShopState } from '../engine/audit-shop.js';
import type { ShopDirectory } from '../ingest/read-chat.js';

/**
 * The version of the saved engine state. A change to what the engine keeps between messages
 * (a new field of a segmenter or counter) changes it, and stores written before are refused
 * with a request to rebuild rather than read wrongly. @2: a buyer-day counter keeps each buyer's
 * open days in an array (issue 8). @3: an evaluation counter keeps its cards in columns, keyed by
 * the card id alone (issue 8).
 */
export const STATE_FORMAT = 'cs-audit/engine-state@3';

/** One shop at the end of a run's days: the engine, who the shop's accounts are, the last hour's ids. */
export interface SavedShop {
  state: ShopState;
  directory: ShopDirectory;
  /** De-duplication memory: id key → time, for ids a later day's copy could still repeat. */
  seen: Map<string, number>;
}

/** V8's structured serialization keeps maps, sets, shared objects and -Infinity/NaN as they are. */
export function encodeShop(saved: SavedShop): Uint8Array {
  return gzipSync(serialize(saved));
}

export function decodeShop(bytes: Uint8Array): SavedShop {
  return deserialize(gunzipSync(bytes)) as SavedShop;
}
