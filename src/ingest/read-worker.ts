// Pass 2's reading on another core (read-chat.ts messagesFromWorker): one source's messages, or
// those of several files in time order one after another, read here and handed over in columns
// (message-batch.ts), a few batches ahead of the engine at most.
import { workerData, type MessagePort } from 'node:worker_threads';
import type { Message } from '../model.js';
import { InputError } from '../errors.js';
import { Zone } from '../time/zone.js';
import { messageCodec, packMessages, transferables } from './message-batch.js';
import type { ProfileOptions, SourceInfo } from './profiles.js';
import { byTime, readMessages } from './read-messages.js';
import { sortBatches } from './external-sort.js';
import { RepeatFilter, ShopRepeatFilters } from './repeats.js';
import { learnShop, ShopOfUnnamed, type ShopDirectory, type ShopFact, type ShopsBeside } from './scan-part.js';
import type { InputSource } from './sources.js';

export interface ReadJob {
  /**
   * What to read, one file after the other: one file, or (without `sort`) files each in time
   * order that follow one another in time, shop by shop with `byShop` (read-chat.ts chatMessages,
   * chatInOnePass). With `learn` the first seq of a file after the first is found here (the
   * messages before it).
   */
  sources: { source: InputSource; firstSeq: number }[];
  zone: string;
  profiles: ProfileOptions;
  port: MessagePort;
  /** [batches posted, batches taken] on shared memory: the reader waits when it is AHEAD batches ahead. */
  control: Int32Array;
  /**
   * When these are the only files: rows without a shop get this one (one pass: the shop
   * ShopOfUnnamed gives them), and repeats are dropped here (RepeatFilter; one pass, a filter per shop).
   */
  repeats: { fallbackShop: string; seen: [string, number][] } | null;
  /**
   * A single file not in time order is sorted here (sortBatches), its runs spilled under `parent`
   * (which the owner removes). With `learn`, only if its first rows leave time order (see
   * firstRows).
   */
  sort: { runSize: number; parent: string } | null;
  /**
   * One pass over the files (read-chat.ts chatInOnePass): this thread also does pass 1's work.
   * It tells the shops, accounts and merchant buyers it meets, the bad rows, and each file's end
   * (fileEnd), and gives up on a row out of time order once it has handed messages over, or once
   * the shop it gave rows that name none is no longer theirs (the two passes handle those).
   */
  learn: boolean;
  /** One pass: what the other inputs say of the shop of rows that name none (ShopOfUnnamed). */
  beside: ShopsBeside;
  /**
   * One pass over several files: files of other shops may overlap in time, each shop's rows in
   * time order (the engine audits each shop on its own); else every row in time order.
   */
  byShop: boolean;
}

/**
 * What one pass learns since the last batch: [shop, 'shop' | 'account' | 'merchant', name] (shop
 * '' for rows that name none, as pass 1 tells them), bad rows [line, reason], rows read so far,
 * and the shop given to rows that name none (null before the first).
 */
export interface Learnt {
  facts: [string, ShopFact, string][];
  bad: [number, string][];
  rows: number;
  unnamed: string | null;
}

/**
 * What the port carries: a batch (with the times of the repeats dropped since the last one), the
 * end (with the ids the filter remembers), or why reading stopped.
 */
export type ReadNews =
  | { batch: ReturnType<typeof packMessages>; file: number; dropped: number[]; learnt: Learnt | null }
  /** One pass: a file read to its end (its batches went before). */
  | { fileEnd: number; firstSeq: number; span: [number, number] | null; rows: number; profile: string | null; sorted: boolean }
  | { end: true; seen: [string, number][] | null; learnt: { span: [number, number] | null } | null }
  | { giveUp: string }
  | { error: string; input: boolean };

/**
 * Batches the reader may be ahead of the engine (about 10 MB), and messages per batch. Fewer left
 * each thread waiting on the other's pauses (a collection, a day's rest sweep): 5 M messages took
 * 18.8 s with 4, 17.7 s with 64.
 */
export const AHEAD = 64;
const BATCH = 1024;
/** Rows read between two reports of what one pass learnt while it sorts (see learning). */
const PROGRESS_ROWS = 50_000;
/** Rows one pass looks at first (see firstRows). */
const FIRST_ROWS = 8 * BATCH;

const job = workerData as ReadJob;
const { port, control } = job;

function post(news: ReadNews, transfer: ArrayBuffer[] = []): void {
  // Not more than AHEAD batches waiting: memory stays bounded however slow the engine is.
  for (let posted = Atomics.load(control, 0); posted - Atomics.load(control, 1) >= AHEAD; ) {
    Atomics.wait(control, 1, Atomics.load(control, 1), 1000);
  }
  port.postMessage(news, transfer);
  Atomics.add(control, 0, 1);
  Atomics.notify(control, 0);
}

/**
 * One pass: whether the first file's first rows are in time order, and what they say of the shop
 * of rows that name none (told to `unnamed`, so that the first such row is given the shop these
 * rows say, not only the rows before it: an export that names no shop often starts with a buyer's
 * row, before any account). They are read once more from the start, and nothing of them kept
 * (holding them, and handing them over later, made V8 allocate every later message in the old
 * generation: 5 % slower on a sorted 1 M log).
 */
async function firstRows(job: ReadJob, zone: Zone, unnamed: ShopOfUnnamed): Promise<boolean> {
  let previous = -Infinity;
  let rows = 0;
  let inOrder = true;
  const seen = new Map<string, ShopDirectory>();
  const met = (shop: string, fact: ShopFact, name: string): void => void unnamed.met(shop, fact, name);
  const { source, firstSeq } = job.sources[0]!;
  for await (const batch of readMessages(source, firstSeq, zone, job.profiles)) {
    for (const m of batch) {
      if (m.t < previous) inOrder = false;
      previous = m.t;
      learnShop(seen, m, met);
    }
    rows += batch.length;
    if (rows >= FIRST_ROWS) break;
  }
  return inOrder;
}

try {
  // One pass: files of several shops may overlap in time, each shop's rows in time order (see learning).
  const filter = job.repeats === null ? null : job.byShop ? new ShopRepeatFilters(job.repeats.seen) : new RepeatFilter(job.repeats.seen);
  let pending: Message[] = [];
  let dropped: number[] = [];
  // One pass: what pass 1 would have learnt, in all and (infos, spans) per file.
  const infos: SourceInfo[] = job.sources.map(() => ({ profile: null, layout: '', mapping: {} }));
  const spans: ([number, number] | null)[] = job.sources.map(() => null);
  const learnt: Learnt | null = job.learn ? { facts: [], bad: [], rows: 0, unnamed: null } : null;
  const unnamed = job.learn ? new ShopOfUnnamed(job.beside) : null;
  const directories = new Map<string, ShopDirectory>();
  let span: [number, number] | null = null;
  let giveUp: string | null = null;
  // The file being read: a batch holds one file's messages (and the repeats it dropped).
  let file = 0;
  const send = (): void => {
    const packed = packMessages(pending);
    post({ batch: packed, file, dropped, learnt: learnt === null ? null : { ...learnt } }, transferables(packed));
    pending = [];
    dropped = [];
    if (learnt !== null) {
      learnt.facts = [];
      learnt.bad = [];
    }
  };
  // Made once: a closure made per message kept each message alive in its context, and the
  // thread's young collector moved four times as much to the old generation (156 MB on 1 M).
  const met = (shop: string, fact: ShopFact, name: string): void => {
    learnt!.facts.push([shop, fact, name]);
    if (!unnamed!.met(shop, fact, name) && giveUp === null) {
      giveUp = `rows without a shop were audited as ${unnamed!.given}, and the rows read since say ${unnamed!.now()}`;
    }
  };
  const onBad =
    learnt === null
      ? null
      : (line: number, reason: string) => {
          learnt.bad.push([line, reason]);
          learnt.rows++;
        };
  const zone = new Zone(job.zone);
  // One pass over a file whose first rows leave time order (a log exported a conversation at a
  // time does so from its second conversation on): the file is sorted here, pass 1's work done as
  // the rows are read, so that all of it is known before any message is handed over.
  const inOrder = unnamed === null || (await firstRows(job, zone, unnamed));
  const sortWhole = learnt !== null && job.sort !== null && job.sources.length === 1 && !inOrder;
  const { source } = job.sources[0]!;
  // The files one after another; a file's last batch (and, one pass, what was learnt of it) goes
  // over before the next file's first.
  const fileEnd = (k: number, firstSeq: number): void => {
    if (pending.length > 0 || dropped.length > 0 || (learnt !== null && (learnt.facts.length > 0 || learnt.bad.length > 0))) send();
    if (learnt === null) return;
    post({ fileEnd: k, firstSeq, span: spans[k]!, rows: learnt.rows, profile: infos[k]!.profile, sorted: !sortWhole });
    learnt.rows = 0;
  };
  let lastFirstSeq = 0;
  const read = (async function* (): AsyncGenerator<Message[]> {
    let seq = job.sources[0]!.firstSeq;
    for (let k = 0; k < job.sources.length; k++) {
      const firstSeq = learnt !== null ? seq : job.sources[k]!.firstSeq;
      if (k > 0) file = k;
      let messages = 0;
      for await (const batch of readMessages(job.sources[k]!.source, firstSeq, zone, job.profiles, onBad, infos[k])) {
        messages += batch.length;
        yield batch;
      }
      seq = firstSeq + messages;
      // The last file's end is told after the loop below has taken its last batch.
      if (k < job.sources.length - 1) fileEnd(k, firstSeq);
      else lastFirstSeq = firstSeq;
    }
  })();
  // One pass: pass 1's work is done as the rows are read. It gives up, unless the file is sorted
  // here, on a row out of time order (in its file, or, byShop, for its shop: a file of other
  // shops may start before the file before it ended), and on a row that changes the shop it gave
  // rows that name none (ShopOfUnnamed). While the file is sorted nothing else goes over: what it
  // learnt does, now and then, so that a progress bar moves.
  const learning = async function* (l: Learnt, keepOrder: boolean): AsyncGenerator<Message[]> {
    let previous = -Infinity;
    let told = 0;
    // byShop: each shop's latest time (looked up when the shop changes from row to row).
    const shopLatest = new Map<string, { t: number }>();
    let shop: string | null = null;
    let latest = { t: -Infinity };
    let at = file;
    for await (const batch of read) {
      // A batch holds one file's messages.
      if (job.byShop && file !== at) {
        at = file;
        previous = -Infinity;
      }
      for (const m of batch) {
        if (keepOrder && m.t < previous) giveUp = 'the rows are not in time order';
        if (giveUp !== null) return;
        previous = m.t;
        l.rows++;
        if (span === null) span = [m.t, m.t];
        else if (m.t < span[0]) span[0] = m.t;
        else if (m.t > span[1]) span[1] = m.t;
        // A file's own span: its first and last message (in time order, its earliest and latest).
        const own = spans[file];
        if (own === null || own === undefined) spans[file] = [m.t, m.t];
        else own[1] = m.t;
        // Told under its own shop, '' for none, as pass 1 tells it; then given the shop (its
        // repeats are found under that shop, as in pass 2).
        learnShop(directories, m, met);
        if (m.shop === '') l.unnamed = m.shop = unnamed!.shop();
        if (keepOrder && job.byShop) {
          if (m.shop !== shop) {
            shop = m.shop;
            let found = shopLatest.get(shop);
            if (found === undefined) shopLatest.set(shop, (found = { t: -Infinity }));
            latest = found;
          }
          if (m.t < latest.t) giveUp = 'the rows are not in time order';
          latest.t = m.t;
        }
        if (giveUp !== null) return;
      }
      if (!keepOrder && l.rows - told >= PROGRESS_ROWS) {
        told = l.rows;
        send();
      }
      yield batch;
    }
  };
  const sorted = (batches: AsyncIterable<Message[]>): AsyncIterable<Message[]> => sortBatches(batches, byTime, job.sort!.runSize, BATCH, job.sort!.parent, messageCodec(source.name));
  const ordered = learnt === null ? (job.sort === null ? read : sorted(read)) : sortWhole ? sorted(learning(learnt, false)) : learning(learnt, true);
  for await (const batch of ordered) {
    if (giveUp !== null) break;
    for (const m of batch) {
      if (filter !== null) {
        if (m.shop === '') m.shop = job.repeats!.fallbackShop;
        if (filter.repeats(m)) {
          dropped.push(m.t);
          continue;
        }
      }
      pending.push(m);
    }
    if (pending.length >= BATCH) send();
  }
  if (giveUp !== null) post({ giveUp });
  else {
    fileEnd(job.sources.length - 1, lastFirstSeq);
    post({ end: true, seen: filter?.remembered() ?? null, learnt: learnt === null ? null : { span } });
  }
} catch (err) {
  post({ error: (err as Error).message, input: err instanceof InputError });
}
