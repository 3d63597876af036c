// Pass 1 on another core (read-chat.ts scanInParts): one part of a large delimited file read and
// checked here, what it says handed back as plain data. Nothing else runs in this thread.
import { parentPort, workerData } from 'node:worker_threads';
import { Zone } from '../time/zone.js';
import type { ProfileOptions } from './profiles.js';
import type { FilePart } from './records.js';
import { scanPart } from './scan-part.js';
import type { InputSource } from './sources.js';

export interface PartJob {
  source: InputSource;
  part: FilePart;
  zone: string;
  profiles: ProfileOptions;
  /** Rows read so far, written now and then for the progress bar (an Int32Array on shared memory). */
  progress: Int32Array;
  slot: number;
}

const job = workerData as PartJob;
const result = await scanPart(job.source, { zone: new Zone(job.zone), strict: false, profiles: job.profiles }, job.part, (rows) => {
  Atomics.store(job.progress, job.slot, rows);
});
parentPort!.postMessage(result);
