import type { Message } from '../model.js';
import { normalizeChatRow } from '../normalize/chat-row.js';
import type { Zone } from '../time/zone.js';
import { canonicalRecordBatches, type ProfileOptions, type SourceInfo } from './profiles.js';
import type { FilePart } from './records.js';
import type { InputSource } from './sources.js';

/**
 * One source's messages (or one part's, see FilePart) in file order, a batch at a time, numbered
 * from `firstSeq`, rows without a shop given their folder's (--shop-folders). Bad rows are told
 * to `onBad`, or passed over (pass 1 counted them). Pass 1 and pass 2, here or in a worker
 * thread (scan-worker.ts, read-worker.ts): the same reader every time.
 */
export async function* readMessages(
  source: InputSource,
  firstSeq: number,
  zone: Zone,
  profiles: ProfileOptions,
  /** Told each bad row (pass 1, or one pass over the file: nothing counted them before). */
  onBad: ((line: number, reason: string) => void) | null = null,
  info?: SourceInfo,
  part: FilePart | null = null,
): AsyncGenerator<Message[]> {
  let seq = firstSeq;
  for await (const batch of canonicalRecordBatches(source, 'chat', profiles, info, part)) {
    const out: Message[] = [];
    for (const item of batch) {
      if ('unreadable' in item) {
        onBad?.(item.line, item.unreadable);
        continue;
      }
      const m = normalizeChatRow(item.values, { file: source.name, line: item.line }, seq, zone);
      if (typeof m === 'string') {
        onBad?.(item.line, m);
        continue;
      }
      if (m.shop === '' && source.shop !== undefined) m.shop = source.shop;
      seq++;
      out.push(m);
    }
    if (out.length > 0) yield out;
  }
}

/** Stream order: time, then read order (file order, then line). */
export function byTime(a: Message, b: Message): number {
  return a.t - b.t || a.seq - b.seq;
}

/** Messages of an unsorted file sorted in memory at a time (about 60 MB); more spill to disk. */
export const SORT_RUN = 100_000;
/** Messages handed on at a time where the pipeline makes its own batches. */
export const BATCH = 8192;
