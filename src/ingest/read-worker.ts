// Pass 2's reading on another core (read-chat.ts messagesFromWorker): one source's messages read
// here and handed over in columns (message-batch.ts), a few batches ahead of the engine at most.
import { workerData, type MessagePort } from 'node:worker_threads';
import type { Message } from '../model.js';
import { InputError } from '../errors.js';
import { Zone } from '../time/zone.js';
import { packMessages, transferables } from './message-batch.js';
import type { ProfileOptions } from './profiles.js';
import { readMessages } from './read-messages.js';
import type { InputSource } from './sources.js';

export interface ReadJob {
  source: InputSource;
  firstSeq: number;
  zone: string;
  profiles: ProfileOptions;
  port: MessagePort;
  /** [batches posted, batches taken] on shared memory: the reader waits when it is AHEAD batches ahead. */
  control: Int32Array;
}

/** What the port carries: a batch, the end, or why reading stopped. */
export type ReadNews = { batch: ReturnType<typeof packMessages> } | { end: true } | { error: string; input: boolean };

/** Batches the reader may be ahead of the engine, and messages per batch. */
export const AHEAD = 4;
const BATCH = 1024;

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

try {
  let pending: Message[] = [];
  for await (const batch of readMessages(job.source, job.firstSeq, new Zone(job.zone), job.profiles)) {
    for (const m of batch) pending.push(m);
    if (pending.length >= BATCH) {
      const packed = packMessages(pending);
      post({ batch: packed }, transferables(packed));
      pending = [];
    }
  }
  if (pending.length > 0) {
    const packed = packMessages(pending);
    post({ batch: packed }, transferables(packed));
  }
  post({ end: true });
} catch (err) {
  post({ error: (err as Error).message, input: err instanceof InputError });
}
