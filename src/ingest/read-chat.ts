import { closeSync, mkdtempSync, openSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism, tmpdir } from 'node:os';
import { MessageChannel, receiveMessageOnPort, Worker } from 'node:worker_threads';
import { InputError, StrictError } from '../errors.js';
import { DEFAULT_SHOP, type BadRow, type Message } from '../model.js';
import type { Zone } from '../time/zone.js';
import { sortBatches } from './external-sort.js';
import { mergeSortedBatches } from './merge.js';
import { messageCodec, unpackMessages } from './message-batch.js';
import type { ProfileOptions } from './profiles.js';
import { BATCH, byTime, readMessages, SORT_RUN } from './read-messages.js';
import { RepeatFilter } from './repeats.js';
import type { Learnt, ReadJob, ReadNews } from './read-worker.js';
import { layoutOf, type FilePart } from './records.js';
import { addDirectory, directoryOf, fallbackShop, mainAccountsOf, scanPart, type PartScan, type ShopDirectory, type ShopFact, type ShopsBeside } from './scan-part.js';
import type { PartJob } from './scan-worker.js';
import type { InputSource } from './sources.js';

export { fallbackShop } from './scan-part.js';

export interface FileStats {
  file: string;
  /** The encoding the file was written in, and the import profile that read it. */
  encoding?: string;
  profile?: string | null;
  /** Records read (header excluded). */
  rows: number;
  /** Rows that became messages (after de-duplication). */
  messages: number;
  /** Rows that repeat an earlier (shop, id). */
  duplicates: number;
  bad_rows: number;
  /**
   * Row accounting (issue 4): rows = used + excluded (by reason, duplicates included) + bad_rows.
   * Filled in once the audit has judged every message.
   */
  used?: number;
  excluded?: Record<string, number>;
}

export { directoryOf, mainAccountOf, type ShopDirectory } from './scan-part.js';
export { DEDUP_HORIZON_MS, dedupKey } from './repeats.js';

export interface ReadOptions {
  zone: Zone;
  strict: boolean;
  profiles: ProfileOptions;
  /** Told now and then how far the first pass has read (for a progress bar). */
  progress?: ProgressSink | null;
  /** Messages of an unsorted file sorted in memory at a time before runs spill to disk (tests lower it). */
  sortRun?: number;
  /**
   * Threads (scanInParts, messagesFromWorker, chatInOnePass): the cores to use, and the least bytes
   * a file or a part must hold to be read by one (tests lower it).
   */
  cores?: number;
  partBytes?: number;
}

export interface ProgressSink {
  update(file: string, rows: number, bytes: number): void;
  done(): void;
}

/**
 * The first pass over the chat files: every row read and normalized once, bad rows kept with
 * file and line, and what the rules need before any conversation can be judged (the shops and
 * their own accounts, the first and last times). Messages are not kept: the second pass reads the
 * sources again (standard input and archive entries are in memory already).
 */
export interface ChatScan {
  sources: InputSource[];
  files: FileStats[];
  badRows: BadRow[];
  /** First seq of each file: ties in time keep file order, then line order. */
  firstSeq: number[];
  /** Whether each file's rows are already in time order (then its second pass streams; else it is sorted, see sortBatches). */
  sorted: boolean[];
  /** Each file's first and last message time in file order; null without messages. */
  spans: ([number, number] | null)[];
  /** FORMAT.md: the shop of rows that name none (see resolveShops). */
  fallbackShop: string;
  directories: Map<string, ShopDirectory>;
  /** Shops named by rows, and the main accounts of `main:sub` accounts, for resolveShops. */
  namedShops: Set<string>;
  mainAccounts: Set<string>;
  /** Per shop as written ('' for rows without one). */
  rawDirectories: Map<string, ShopDirectory>;
  /** Earliest and latest message time; null when there is no message. */
  firstT: number | null;
  lastT: number | null;
  options: ReadOptions;
  /** Parts of files read at once (0: every file was read by one reader), and how many of them worker threads read. */
  partsInParallel: number;
  partsByWorkers: number;
  /** Files pass 2 read in a worker thread, beside the engine (see messagesFromWorker). */
  sourcesReadAside: number;
}

/** A scan before any row is read. */
function emptyScan(sources: InputSource[], options: ReadOptions): ChatScan {
  return {
    sources,
    files: [],
    badRows: [],
    firstSeq: [],
    sorted: [],
    spans: [],
    fallbackShop: DEFAULT_SHOP,
    directories: new Map(),
    namedShops: new Set(),
    mainAccounts: new Set(),
    rawDirectories: new Map(),
    firstT: null,
    lastT: null,
    options,
    partsInParallel: 0,
    partsByWorkers: 0,
    sourcesReadAside: 0,
  };
}

/**
 * Pass 1. A large delimited file on disk is read in parts on every core (see scanInParts); the
 * parts put together say exactly what one reader of the whole file says.
 */
export async function scanChat(sources: InputSource[], options: ReadOptions): Promise<ChatScan> {
  const scan = emptyScan(sources, options);
  const aside = await scanFilesAside(sources, options);
  try {
    return await scanFiles(scan, aside);
  } finally {
    aside.stop();
  }
}

/** Pass 1 file by file, in order, taking what the thread of scanFilesAside read. */
async function scanFiles(scan: ChatScan, aside: { from: number; scans: Promise<PartScan[] | null> }): Promise<ChatScan> {
  const { sources, options } = scan;
  let readAside = 0;
  let seq = 0;
  for (const [index, source] of sources.entries()) {
    const stats: FileStats = { file: source.name, encoding: source.encoding, profile: null, rows: 0, messages: 0, duplicates: 0, bad_rows: 0 };
    scan.files.push(stats);
    scan.firstSeq.push(seq);
    const size = source.data?.length ?? (source.path === null ? 0 : statSync(source.path).size);
    const progress = options.progress ?? null;
    const onRows = progress === null ? null : (rows: number) => progress.update(source.name, rows, size);
    const partOptions = { zone: options.zone, strict: options.strict, profiles: options.profiles };
    const byThread = index < aside.from ? null : await aside.scans;
    const inParts = byThread === null ? await scanInParts(source, size, options, onRows) : null;
    const parts = inParts?.scans ?? [byThread?.[index - aside.from] ?? (await scanPart(source, partOptions, null, onRows))];
    if (byThread?.[index - aside.from] !== undefined) readAside++;
    if (inParts !== null) {
      scan.partsInParallel += parts.length;
      scan.partsByWorkers += inParts.byWorkers;
    }
    // Parts in file order: a later part's lines go on from the line where the one before ended.
    let lineOffset = 0;
    let previous = -Infinity;
    let sorted = true;
    let span: [number, number] | null = null;
    for (const part of parts) {
      if (part.first !== null) span = [span?.[0] ?? part.first, part.last!];
      stats.rows += part.rows;
      for (const b of part.badRows) {
        const bad = { file: source.name, line: b.line + lineOffset, reason: b.reason };
        if (options.strict) throw new StrictError(`${bad.file}:${bad.line}: ${bad.reason} (--strict)`);
        scan.badRows.push(bad);
        stats.bad_rows++;
      }
      lineOffset += part.lastLine;
      seq += part.messages;
      sorted &&= part.sorted;
      if (part.first !== null) {
        if (part.first < previous) sorted = false;
        previous = part.last!;
      }
      if (part.minT !== null && (scan.firstT === null || part.minT < scan.firstT)) scan.firstT = part.minT;
      if (part.maxT !== null && (scan.lastT === null || part.maxT > scan.lastT)) scan.lastT = part.maxT;
      for (const [shop, d] of part.raw) addDirectory(directoryOf(scan.rawDirectories, shop), d);
    }
    scan.sorted.push(sorted);
    scan.spans.push(span);
    stats.profile = parts[0]!.profile as FileStats['profile'];
    progress?.update(source.name, stats.rows, size);
  }
  if (readAside > 0) {
    // Every file was read at once with the others, by one of two readers.
    scan.partsInParallel += sources.length;
    scan.partsByWorkers += readAside;
  }
  options.progress?.done();
  settleShops(scan);
  return scan;
}

/** Once every row is read: the shops named, the main accounts, and the shop of rows that name none. */
function settleShops(scan: ChatScan): void {
  for (const shop of scan.rawDirectories.keys()) if (shop !== '') scan.namedShops.add(shop);
  scan.mainAccounts = mainAccountsOf(scan.rawDirectories);
  resolveShops(scan, fallbackShop(scan.namedShops, scan.mainAccounts));
}

/**
 * Pass 1 of several small delimited files (a folder of daily exports) on two cores: the files
 * from `from` on (about half the bytes) are read by a worker thread while this one reads the
 * others; `scans` are what that thread says of each, in order, or null when it failed (then this
 * thread reads them, and raises any error where one reader would). `from` is the number of files
 * when it does not pay: one core, one file, a large file among them (it is read in parts), data
 * that are not delimited text on disk, or less than a part's worth of bytes in all.
 */
async function scanFilesAside(sources: InputSource[], options: ReadOptions): Promise<{ from: number; scans: Promise<PartScan[] | null>; stop: () => void }> {
  const none = { from: sources.length, scans: Promise.resolve(null), stop: () => {} };
  const partBytes = options.partBytes ?? PART_BYTES;
  if ((options.cores ?? availableParallelism()) < 2 || sources.length < 2) return none;
  const sizes = await delimitedOnDisk(sources, partBytes, 2 * partBytes);
  if (sizes === null) return none;
  const total = sizes.reduce((a, b) => a + b, 0);
  let from = 0;
  for (let bytes = 0; from < sources.length && bytes + sizes[from]! <= total / 2; from++) bytes += sizes[from]!;
  if (from === 0 || from === sources.length) return none;
  const job: PartJob = { reads: sources.slice(from).map((source) => ({ source, part: null })), zone: options.zone.name, profiles: options.profiles, progress: new Int32Array(new SharedArrayBuffer(4)), slot: 0 };
  let worker: Worker | null = null;
  const scans = new Promise<PartScan[] | null>((resolve) => {
    try {
      worker = new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    } catch {
      resolve(null);
      return;
    }
    const done = (result: PartScan[] | null): void => {
      resolve(result);
      void worker?.terminate();
    };
    worker.once('message', (result: PartScan[]) => done(result));
    worker.once('error', () => done(null));
    worker.once('exit', () => done(null));
  });
  // An error in the files read here ends the scan: the thread is not waited for.
  return { from, scans, stop: () => void (worker as Worker | null)?.terminate() };
}

/**
 * The sizes of files worth a thread: all on disk, `least` bytes or more in all, none of `most`
 * bytes or more (a file that size is cut into parts of its own), and all delimited text (looked
 * at last: it reads each file's start). Null otherwise.
 */
export async function delimitedOnDisk(sources: readonly InputSource[], least: number, most = Infinity): Promise<number[] | null> {
  const sizes: number[] = [];
  for (const source of sources) {
    if (source.path === null) return null;
    const size = statSync(source.path).size;
    if (size >= most) return null;
    sizes.push(size);
  }
  if (sizes.length === 0 || sizes.reduce((a, b) => a + b, 0) < least) return null;
  for (const source of sources) if ((await layoutOf(source)).kind !== 'csv') return null;
  return sizes;
}

/** The least a part is worth reading on another core: a worker takes about 0.1 s to start. */
export const PART_BYTES = 24 << 20;
/** Parts of one file at most, however many cores (each thread has a heap of its own). */
const MAX_PARTS = 8;

/**
 * Pass 1 of one large delimited file on disk on every core: the file cut into parts at line
 * endings, the first part read here, each other one by a worker thread (scan-worker.ts), all at
 * once. A cut is only a guess (a line ending may sit inside a quoted field): the reader of the
 * part before checks that its records end exactly there (FilePart.reachedEnd). Null when the
 * file is not worth cutting, or a cut was wrong or a worker failed: then the whole file is read
 * here, as one part.
 */
async function scanInParts(
  source: InputSource,
  size: number,
  options: ReadOptions,
  onRows: ((rows: number) => void) | null,
): Promise<{ scans: PartScan[]; byWorkers: number } | null> {
  const cores = options.cores ?? availableParallelism();
  const partBytes = options.partBytes ?? PART_BYTES;
  const count = Math.min(cores, MAX_PARTS, Math.floor(size / partBytes));
  if (source.path === null || count < 2) return null;
  const layout = await layoutOf(source);
  if (layout.kind !== 'csv') return null;
  const cuts = findCuts(source.path, size, count, layout.delimiter);
  if (cuts.length === 0) return null;
  const starts = [0, ...cuts];
  const parts: FilePart[] = starts.map((start, i) => ({ start, end: cuts[i] ?? null }));
  const progress = new Int32Array(new SharedArrayBuffer(4 * parts.length));
  const partOptions = { zone: options.zone, strict: options.strict, profiles: options.profiles };
  const workers: Worker[] = [];
  try {
    const later = parts.slice(1).map((part, i) => {
      const job: PartJob = { reads: [{ source, part }], zone: options.zone.name, profiles: options.profiles, progress, slot: i + 1 };
      return new Promise<PartScan | null>((resolve) => {
        let worker: Worker;
        try {
          worker = new Worker(new URL('./scan-worker.js', import.meta.url), { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
        } catch {
          resolve(null);
          return;
        }
        workers.push(worker);
        worker.once('message', (result: PartScan[]) => resolve(result[0]!));
        // A part the worker could not read is read here (with the error, if any, where one reader would raise it).
        worker.once('error', () => resolve(null));
        worker.once('exit', () => resolve(null));
      });
    });
    const rowsSoFar = onRows === null ? null : (rows: number) => {
      let all = rows;
      for (let i = 1; i < progress.length; i++) all += Atomics.load(progress, i);
      onRows(all);
    };
    const scans: PartScan[] = [await scanPart(source, partOptions, parts[0]!, rowsSoFar)];
    let byWorkers = 0;
    for (let i = 1; i < parts.length; i++) {
      // A wrong cut: the parts after it started in the middle of a record.
      if (!scans[i - 1]!.reachedEnd) return null;
      const done = await later[i - 1]!;
      if (done !== null) byWorkers++;
      scans.push(done ?? (await scanPart(source, { ...partOptions, strict: false }, parts[i]!)));
    }
    return { scans, byWorkers };
  } finally {
    for (const worker of workers) void worker.terminate();
  }
}

/**
 * Where to cut a file into `count` parts of about equal size: at a line ending after which a line
 * reads as one whole record of the header's width (so most likely a record starts there). None
 * found near a place: one part fewer.
 */
function findCuts(path: string, size: number, count: number, delimiter: string): number[] {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, CUT_WINDOW));
    readSync(fd, head, 0, head.length, 0);
    const width = recordWidth(head, 0, delimiter.charCodeAt(0));
    if (width === null) return [];
    const cuts: number[] = [];
    const window = Buffer.alloc(CUT_WINDOW);
    for (let k = 1; k < count; k++) {
      const from = Math.floor((size * k) / count);
      const n = readSync(fd, window, 0, CUT_WINDOW, from);
      for (let i = window.indexOf(LF, 1); i !== -1 && i + 1 < n; i = window.indexOf(LF, i + 1)) {
        // Right after a line with something on it: a record may end there. Not after an empty
        // line: empty lines belong to the record after them, so the part before would end earlier.
        const ending = window[i - 1] === CR ? i - 1 : i;
        if (ending === 0 || window[ending - 1] === LF) continue;
        let next = i + 1;
        while (next < n && (window[next] === LF || (window[next] === CR && window[next + 1] === LF))) next += window[next] === LF ? 1 : 2;
        if (recordWidth(window.subarray(0, n), next, delimiter.charCodeAt(0)) === width) {
          if (from + i + 1 > (cuts.at(-1) ?? 0)) cuts.push(from + i + 1);
          break;
        }
      }
    }
    return cuts;
  } finally {
    closeSync(fd);
  }
}

const CUT_WINDOW = 1 << 16;
const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/**
 * The number of fields of the line starting at `from`, read as a record that fits on one line
 * (quotes respected): null when it does not end on this line within the bytes, or is empty.
 */
function recordWidth(bytes: Buffer, from: number, delimiter: number): number | null {
  let fields = 1;
  let quoted = false;
  for (let i = from; i < bytes.length; i++) {
    const c = bytes[i];
    if (c === QUOTE) quoted = !quoted;
    else if (quoted) continue;
    else if (c === delimiter) fields++;
    else if (c === LF) return i === from || (i === from + 1 && bytes[from] === CR) ? null : fields;
  }
  return null;
}

/** Give rows without a shop their shop, and merge what is known of each shop's accounts. */
export function resolveShops(scan: ChatScan, fallback: string): void {
  scan.fallbackShop = fallback;
  scan.directories = new Map();
  for (const [shop, d] of scan.rawDirectories) addDirectory(directoryOf(scan.directories, shop === '' ? fallback : shop), d);
}

/**
 * The second pass: one source's messages in time order, a batch at a time. A large file may be
 * read (and sorted) by a worker thread beside the engine (`aside`).
 */
async function* sourceMessages(scan: ChatScan, index: number, aside: boolean): AsyncGenerator<Message[]> {
  const source = scan.sources[index]!;
  const { zone, profiles } = scan.options;
  const firstSeq = scan.firstSeq[index]!;
  if (aside) {
    yield* messagesFromWorker(scan, [index], null);
    return;
  }
  if (scan.sorted[index]) {
    yield* readMessages(source, firstSeq, zone, profiles);
    return;
  }
  // Not in time order: sorted within a memory bound, spilling sorted runs to temporary files.
  yield* sortBatches(readMessages(source, firstSeq, zone, profiles), byTime, scan.options.sortRun ?? SORT_RUN, BATCH, tmpdir(), messageCodec(source.name));
}

/** Repeats dropped where the only file is read (see chatMessages): the thread drops them itself. */
interface RepeatsAside {
  fallbackShop: string;
  /** The ids remembered (see chatMessages), given back at the end. */
  seen: Map<string, number>;
  /** A repeat was dropped (its time, and the index of its file in scan.sources). */
  dropped: (t: number, file: number) => void;
  /** Messages of a file (its index in scan.sources) handed over. */
  taken: (file: number, messages: number) => void;
}

/**
 * One source's messages read by a worker thread (read-worker.ts) while this one runs the engine:
 * reading is about half of pass 2's work. Batches come in columns and are taken without the
 * event loop (receiveMessageOnPort), the reader never more than a few batches ahead. With
 * `repeats`, the thread also gives rows without a shop their shop and drops repeats. A file out of
 * time order is sorted there. If the thread cannot start, all that is done here, alike.
 */
async function* messagesFromWorker(
  scan: ChatScan,
  /** Indexes in scan.sources: one file, or several in time order one after another (see chatMessages). */
  files: number[],
  repeats: RepeatsAside | null,
  learning: Learning | null = null,
): AsyncGenerator<Message[]> {
  const options = scan.options;
  const { port1, port2 } = new MessageChannel();
  const control = new Int32Array(new SharedArrayBuffer(8));
  const sources = files.map((i) => ({ source: scan.sources[i]!, firstSeq: scan.firstSeq[i]! }));
  // Not in time order: the thread sorts it, spilling runs into a folder removed here (a thread
  // stopped early does not clean up after itself). One pass sorts a file whose first rows leave
  // time order (see read-worker.ts). Several files are each in time order.
  const sorting = !scan.sorted[files[0]!];
  const parent = sorting || (learning !== null && files.length === 1) ? mkdtempSync(join(tmpdir(), 'cs-audit-thread-')) : null;
  const job: ReadJob = {
    sources,
    zone: options.zone.name,
    profiles: options.profiles,
    port: port2,
    control,
    repeats: repeats === null ? null : { fallbackShop: repeats.fallbackShop, seen: [...repeats.seen] },
    sort: parent === null ? null : { runSize: options.sortRun ?? SORT_RUN, parent },
    learn: learning !== null,
    beside: learning?.beside ?? { named: [], mains: [] },
    // One file is in time order: a shop's rows are too.
    byShop: (learning?.byShop ?? false) && sources.length > 1,
  };
  // A reader's garbage dies young: a small young generation keeps the thread's memory down
  // (measured on 1 M messages: 8 MB and batches of 1 024 were the fastest, see bench/README.md).
  let stopped: Error | null = null;
  let worker: Worker | null = null;
  try {
    worker = new Worker(new URL('./read-worker.js', import.meta.url), { workerData: job, transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: 8 } });
    worker.once('error', (err) => (stopped ??= err));
    worker.once('exit', (code) => (stopped ??= new Error(`exit code ${code}`)));
  } catch (err) {
    // No thread to be had (ERR_WORKER_INIT_FAILED): as when one starts and stops before its first batch.
    stopped = err as Error;
  }
  let received = 0;
  // The file of the last batch taken.
  let at = 0;
  try {
    for (;;) {
      const posted = Atomics.load(control, 0);
      const got = receiveMessageOnPort(port1);
      if (got === undefined) {
        if (stopped !== null) {
          if (received > 0) throw new InputError(`${sources[at]!.source.name}: the reading thread stopped (${(stopped as Error).message})`);
          if (learning !== null) {
            learning.gaveUp = 'the reading thread did not start';
            return;
          }
          const { source, firstSeq } = sources[0]!;
          const read = readMessages(source, firstSeq, options.zone, options.profiles);
          const ordered = sorting ? sortBatches(read, byTime, options.sortRun ?? SORT_RUN, BATCH, tmpdir(), messageCodec(source.name)) : read;
          const all = async function* (): AsyncGenerator<Message[]> {
            yield* ordered;
            for (const next of sources.slice(1)) yield* readMessages(next.source, next.firstSeq, options.zone, options.profiles);
          };
          yield* repeats === null ? all() : dropRepeats(all(), repeats, scan.firstSeq);
          return;
        }
        // Nothing yet: wait for the reader, and now and then let the thread's error or exit be heard.
        if (Atomics.wait(control, 0, posted, 50) === 'timed-out') await new Promise((resolve) => setImmediate(resolve));
        continue;
      }
      Atomics.add(control, 1, 1);
      Atomics.notify(control, 1);
      const news = got.message as ReadNews;
      if ('end' in news) {
        if (repeats !== null) giveBack(repeats.seen, news.seen!);
        if (learning !== null) learning.end(news.learnt!.span);
        scan.sourcesReadAside += files.length;
        return;
      }
      if ('fileEnd' in news) {
        learning!.fileEnd(files[news.fileEnd]!, news.firstSeq, news.span, news.rows, news.profile, news.sorted);
        continue;
      }
      if ('error' in news) throw news.input ? new InputError(news.error) : new Error(news.error);
      if ('giveUp' in news) {
        learning!.gaveUp = news.giveUp;
        return;
      }
      received++;
      at = news.file;
      if (repeats !== null) for (const t of news.dropped) repeats.dropped(t, files[at]!);
      if (learning !== null) {
        // What the rows up to this batch's last one say comes first: it holds for all of them.
        learning.batch(news.learnt!, files[at]!);
        if (learning.gaveUp !== null) return;
      }
      const messages = unpackMessages(news.batch, sources[at]!.source.name);
      repeats?.taken(files[at]!, messages.length);
      if (messages.length > 0) yield messages;
    }
  } finally {
    port1.close();
    if (parent === null) void worker?.terminate();
    else {
      await worker?.terminate();
      rmSync(parent, { recursive: true, force: true });
    }
  }
}

/**
 * Files read by the reading thread as one stream (see messagesFromWorker), which drops their
 * repeats: counted per file (messages and duplicates), every message's time, repeats too, shown
 * to `observe`.
 */
async function* countedFromWorker(
  scan: ChatScan,
  files: number[],
  fallbackShop: string,
  seen: Map<string, number>,
  observe: ((t: number) => void) | null,
  learning: Learning | null = null,
): AsyncGenerator<Message[]> {
  const repeats: RepeatsAside = {
    fallbackShop,
    seen,
    dropped: (t, file) => {
      scan.files[file]!.duplicates++;
      observe?.(t);
    },
    taken: (file, messages) => void (scan.files[file]!.messages += messages),
  };
  for await (const batch of messagesFromWorker(scan, files, repeats, learning)) {
    if (observe !== null) for (const m of batch) observe(m.t);
    yield batch;
  }
}

/** One pass's side of the reading thread (see chatInOnePass). */
interface Learning {
  /** What the other inputs say of the shop of rows that name none (handed to the thread). */
  beside: ShopsBeside;
  /** Files of other shops may overlap in time (see ReadJob.byShop). */
  byShop: boolean;
  /** What the rows of file `file` (an index in scan.sources) up to the batch's last say. */
  batch(learnt: Learnt, file: number): void;
  /** File `file` read to its end: its first seq, first and last message times, rows and profile, and whether it was in time order. */
  fileEnd(file: number, firstSeq: number, span: [number, number] | null, rows: number, profile: string | null, sorted: boolean): void;
  /** Every file read: the earliest and latest message. */
  end(span: [number, number] | null): void;
  /** Why the pass was given up; null while it goes on. */
  gaveUp: string | null;
}

/**
 * What the one pass learns, told to the audit as it goes: a shop met first, an account named or a
 * merchant buyer flagged for the first time. `learn` answers false when messages this changes
 * were judged already: the pass is then given up.
 */
export type Learn = (shop: string, kind: ShopFact, name: string) => boolean;

/**
 * Both passes in one (issue 8), for one large delimited file in time order, or several such
 * files one after another (a folder of daily exports), each shop's rows in time order (with
 * `byShop`, files of different shops may overlap in time: a folder per shop; else, and for a
 * shop's own files, a file that starts before the one before ended is rows out of time order):
 * the reading thread reads each row once, does pass 1's work as
 * it goes and hands over what it learns before the messages it holds for. Pass 1 is what tells
 * the audit who a shop's own accounts and its merchant buyers are; an account or a merchant first
 * met after that buyer's messages were judged means the pass is given up (`learn` says so), and
 * so does a row out of time order. Rows that name no shop are given the shop the rows read so far
 * and `beside` say (ShopOfUnnamed; `unnamed()` tells it); a later row that says otherwise gives
 * the pass up. A single file whose first rows leave time order (an export a conversation at a
 * time) is sorted by the thread instead, which reads every row before it hands any over, and so
 * learns everything first. Then `gaveUp()` says why, and the caller reads the files again in two
 * passes. Otherwise `scan()` is what scanChat would have said and `batches` what chatMessages
 * would have given.
 */
export function chatInOnePass(
  sources: InputSource[],
  options: ReadOptions,
  learn: Learn,
  /** The ids of the hour before, by shop (a history's), as chatMessages takes them; given back. */
  seen: Map<string, number> = new Map(),
  /** Shown the time of every message read, repeats included (as chatMessages's). */
  observe: ((t: number) => void) | null = null,
  /** What the other inputs say of the shop of rows that name none (see ShopOfUnnamed). */
  beside: ShopsBeside = { named: [], mains: [] },
  /**
   * Files of other shops may overlap in time, each shop's rows in time order: the auditors are fed
   * a shop at a time (each audits its shop on its own), not in time order over all shops.
   */
  byShop = false,
): { batches: AsyncGenerator<Message[]>; scan: () => ChatScan; gaveUp: () => string | null; unnamed: () => string | null } {
  // Files in time order one after another, the first message of each the one after the last of
  // the file before (its first seq is known once the files before it are read).
  const scan = emptyScan(sources, options);
  for (const source of sources) {
    scan.files.push({ file: source.name, encoding: source.encoding, profile: null, rows: 0, messages: 0, duplicates: 0, bad_rows: 0 });
    scan.firstSeq.push(0);
    scan.sorted.push(true);
    scan.spans.push(null);
  }
  const sizes = sources.map((source) => statSync(source.path!).size);
  const progress = options.progress ?? null;
  // The shop the thread gave rows that name none (null while it met none).
  let unnamed: string | null = null;
  const learning: Learning = {
    beside,
    byShop,
    gaveUp: null,
    batch(learnt, file) {
      unnamed = learnt.unnamed;
      for (const [raw, kind, name] of learnt.facts) {
        // Pass 1 keeps rows without a shop apart (''); the audit has them under the shop they were given.
        const d = directoryOf(scan.rawDirectories, raw);
        if (kind === 'account') d.accounts.add(name);
        else if (kind === 'merchant') d.merchantBuyers.add(name);
        const shop = raw === '' ? unnamed : raw;
        // (Not so: the thread gives the row its shop before the batch goes. Should it ever be, two passes.)
        if (shop === null) {
          this.gaveUp = 'a row without a shop was told before it was given one';
          return;
        }
        if (!learn(shop, kind, name)) {
          this.gaveUp = kind === 'shop' ? `rows of ${shop} were met, a shop the run was not to feed` : `${kind} ${name} of ${shop} was met after messages it changes were judged`;
          return;
        }
      }
      const stats = scan.files[file]!;
      for (const [line, reason] of learnt.bad) {
        const bad = { file: stats.file, line, reason };
        if (options.strict) throw new StrictError(`${bad.file}:${bad.line}: ${bad.reason} (--strict)`);
        scan.badRows.push(bad);
        stats.bad_rows++;
      }
      stats.rows = learnt.rows;
      progress?.update(stats.file, stats.rows, sizes[file]!);
    },
    fileEnd(file, firstSeq, span, rows, profile, sorted) {
      const stats = scan.files[file]!;
      scan.sorted[file] = sorted;
      stats.rows = rows;
      stats.profile = profile as FileStats['profile'];
      scan.firstSeq[file] = firstSeq;
      scan.spans[file] = span;
      progress?.update(stats.file, stats.rows, sizes[file]!);
    },
    end(span) {
      if (span !== null) [scan.firstT, scan.lastT] = span;
    },
  };
  const batches = (async function* (): AsyncGenerator<Message[]> {
    yield* countedFromWorker(
      scan,
      sources.map((_, i) => i),
      DEFAULT_SHOP,
      seen,
      observe,
      learning,
    );
    if (learning.gaveUp !== null) return;
    progress?.done();
    settleShops(scan);
  })();
  return { batches, scan: () => scan, gaveUp: () => learning.gaveUp, unnamed: () => unnamed };
}

/** What the reading thread does with repeats, done here (the thread could not start). */
async function* dropRepeats(read: AsyncGenerator<Message[]>, repeats: RepeatsAside, firstSeq: readonly number[]): AsyncGenerator<Message[]> {
  const filter = new RepeatFilter(repeats.seen);
  for await (const batch of read) {
    const out: Message[] = [];
    for (const m of batch) {
      if (m.shop === '') m.shop = repeats.fallbackShop;
      if (filter.repeats(m)) repeats.dropped(m.t, fileIndexOf(firstSeq, m.seq));
      else out.push(m);
    }
    if (out.length > 0) {
      // A batch read holds one file's messages.
      repeats.taken(fileIndexOf(firstSeq, out[0]!.seq), out.length);
      yield out;
    }
  }
  giveBack(repeats.seen, filter.remembered());
}

function giveBack(seen: Map<string, number>, remembered: readonly [string, number][]): void {
  seen.clear();
  for (const [key, t] of remembered) seen.set(key, t);
}

/**
 * Every message of the scanned files once, in batches, in time order (ties in file order),
 * shops resolved, repeated (shop, id) rows dropped and counted (RepeatFilter). Memory holds a
 * batch per file, plus the ids of the last hour: overlapping exports repeat a message with the
 * same time. `seen` (id key → time) may hold the last hour of an earlier run (src/history); it
 * holds this run's ids when the messages have all been read.
 */
export async function* chatMessages(
  scan: ChatScan,
  seen: Map<string, number> = new Map(),
  /** Shown the time of every message read, repeats included, in no set order (e.g. to find the end of the data). */
  observe: ((t: number) => void) | null = null,
): AsyncGenerator<Message[]> {
  // Large files are read beside the engine (and sorted there when out of time order), one a core
  // (this one runs the engine).
  // JSON is read whole (one batch): it is read here.
  let spareCores = (scan.options.cores ?? availableParallelism()) - 1;
  const partBytes = scan.options.partBytes ?? PART_BYTES;
  const aside: boolean[] = [];
  for (const [i, source] of scan.sources.entries()) {
    aside.push(spareCores > 0 && source.path !== null && statSync(source.path).size >= partBytes && (await layoutOf(source)).kind === 'csv');
    if (aside[i]) spareCores--;
  }
  const chain = aside.length === 1 ? (aside[0]! ? [0] : null) : aside.some((a) => a) ? null : await inSequence(scan, spareCores, partBytes);
  if (chain !== null) {
    // The only file, or files in time order one after another, read by a thread: its stream is
    // the merged stream, so the thread drops the repeats too (the same RepeatFilter), and they are
    // never copied over.
    yield* countedFromWorker(scan, chain, scan.fallbackShop, seen, observe);
    return;
  }
  const streams = scan.sources.map((_, i) => sourceMessages(scan, i, aside[i]!));
  const filter = new RepeatFilter(seen);
  for await (const batch of mergeSortedBatches(streams, byTime, BATCH)) {
    const out: Message[] = [];
    for (const m of batch) {
      if (m.shop === '') m.shop = scan.fallbackShop;
      observe?.(m.t);
      const stats = scan.files[fileIndexOf(scan.firstSeq, m.seq)]!;
      if (filter.repeats(m)) {
        stats.duplicates++;
        continue;
      }
      stats.messages++;
      out.push(m);
    }
    if (out.length > 0) yield out;
  }
  giveBack(seen, filter.remembered());
}

/**
 * Several files, none large, each in time order and each starting no earlier than the one before
 * ended (a folder of daily exports): read one after another by one thread beside the engine, they
 * are the merged stream (ties in time keep file order). Their indexes, or null when the files are
 * not so, are too small together to pay for a thread, or no core is spare. Issue 8: a month of
 * 1 M messages in 29 daily files took twice the time of the same rows in one file, all of pass 2
 * on one core.
 */
async function inSequence(scan: ChatScan, spareCores: number, partBytes: number): Promise<number[] | null> {
  if (spareCores < 1 || scan.sources.length < 2) return null;
  let previous = -Infinity;
  for (const [i, span] of scan.spans.entries()) {
    if (!scan.sorted[i]) return null;
    if (span === null) continue;
    if (span[0] < previous) return null;
    previous = span[1];
  }
  if ((await delimitedOnDisk(scan.sources, partBytes)) === null) return null;
  return scan.sources.map((_, i) => i);
}

/** Index of the file a message was read from, from the first seq of each file. */
function fileIndexOf(firstSeq: readonly number[], seq: number): number {
  let lo = 0;
  let hi = firstSeq.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (firstSeq[mid]! <= seq) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}
