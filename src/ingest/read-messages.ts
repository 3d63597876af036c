import type { Message } from '../model.js';
import { normalizeChatRow } from '../normalize/chat-row.js';
import type { Zone } from '../time/zone.js';
import { canonicalRecordBatches, type ProfileOptions, type SourceInfo } from './profiles.js';
import type { InputSource } from './sources.js';

/**
 * Pass 2's reading of one source: its messages in file order, a batch at a time, numbered from
 * `firstSeq`. Bad rows are passed over (pass 1 counted them). Run here or in a worker thread
 * (read-worker.ts): the same reader either way.
 */
export async function* readMessages(
  source: InputSource,
  firstSeq: number,
  zone: Zone,
  profiles: ProfileOptions,
  /** Told each bad row (one pass over the file: nothing counted them before). */
  onBad: ((line: number, reason: string) => void) | null = null,
  info?: SourceInfo,
): AsyncGenerator<Message[]> {
  let seq = firstSeq;
  for await (const batch of canonicalRecordBatches(source, 'chat', profiles, info)) {
    const out: Message[] = [];
    for (const item of batch) {
      if ('unreadable' in item) {
        onBad?.(item.line, item.unreadable);
        continue;
      }
      const m = normalizeChatRow(item.values, { file: source.name, line: item.line }, seq, zone);
      if (typeof m === 'string') {
        onBad?.(item.line, m); // else counted in the first pass
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
