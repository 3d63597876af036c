// Pass 1 on another core (read-chat.ts scanInParts, scanFilesAside): one part of a large delimited
// file, or several small files whole, read and checked here, what each says handed back as plain
// data (PartScans, in the order asked). Nothing else runs in this thread.
import { parentPort, workerData } from 'node:worker_threads';
import { Zone } from '../time/zone.js';
import type { ProfileOptions } from './profiles.js';
import type { FilePart } from './records.js';
import { scanPart, type PartScan } from './scan-part.js';
import type { InputSource } from './sources.js';

export interface PartJob {
  /** What to read: a part of a file, or (part null) a whole file. */
  reads: { source: InputSource; part: FilePart | null }[];
  zone: string;
  profiles: ProfileOptions;
  /** Rows read so far, written now and then for the progress bar (an Int32Array on shared memory). */
  progress: Int32Array;
  slot: number;
}

const job = workerData as PartJob;
const zone = new Zone(job.zone);
const results: PartScan[] = [];
for (const { source, part } of job.reads) {
  results.push(
    await scanPart(source, { zone, strict: false, profiles: job.profiles }, part, (rows) => {
      Atomics.store(job.progress, job.slot, rows);
    }),
  );
}
parentPort!.postMessage(results);
