/**
 * Stop every stream (e.g. a spilled sort run removes its files), also when merging stopped early;
 * one that fails to stop does not keep the others from stopping (its error is raised after).
 */
async function returnAll(streams: AsyncIterator<unknown>[]): Promise<void> {
  const failed: unknown[] = [];
  for (const s of streams) {
    try {
      await s.return?.();
    } catch (err) {
      failed.push(err);
    }
  }
  if (failed.length > 0) throw failed[0];
}

/** One stream's place in the merge: its current batch, the next item in it, and the stream's rank. */
interface Cursor<T> {
  batch: T[];
  at: number;
  index: number;
}

/** A stream's next batch that holds anything, or null at its end. */
async function nextBatch<T>(stream: AsyncIterator<T[]>): Promise<T[] | null> {
  for (;;) {
    const next = await stream.next();
    if (next.done === true) return null;
    if (next.value.length > 0) return next.value;
  }
}

/**
 * Several individually sorted streams of batches merged into one sorted stream, handed on in
 * batches of up to `size` items (k-way, binary heap). Equal items come from the stream listed
 * first, so ties keep input order. One stream passes straight through, its batches as they come
 * (whatever their size, empty ones too: the callers take them as they are). Items are taken from the
 * batches in hand, and a stream is asked for more only when its batch is used up (issue 8: an
 * await per item cost more than the merge itself on unsorted logs).
 */
export async function* mergeSortedBatches<T>(
  streams: AsyncIterator<T[]>[],
  compare: (a: T, b: T) => number,
  size: number,
): AsyncGenerator<T[]> {
  let caught = false;
  try {
    yield* merged(streams, compare, size);
  } catch (err) {
    caught = true;
    // The error that stopped the merge is the one to tell, not one from stopping the streams.
    await returnAll(streams).catch(() => undefined);
    throw err;
  } finally {
    if (!caught) await returnAll(streams);
  }
}

async function* merged<T>(streams: AsyncIterator<T[]>[], compare: (a: T, b: T) => number, size: number): AsyncGenerator<T[]> {
  if (streams.length === 1) {
    for (let next = await streams[0]!.next(); !next.done; next = await streams[0]!.next()) yield next.value;
    return;
  }
  const heap: Cursor<T>[] = [];
  const less = (a: Cursor<T>, b: Cursor<T>): boolean => {
    const c = compare(a.batch[a.at]!, b.batch[b.at]!);
    return c < 0 || (c === 0 && a.index < b.index);
  };
  const siftDown = (i: number): void => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  const siftUp = (i: number): void => {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i]!, heap[parent]!)) return;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  {
    for (let index = 0; index < streams.length; index++) {
      const batch = await nextBatch(streams[index]!);
      if (batch !== null) {
        heap.push({ batch, at: 0, index });
        siftUp(heap.length - 1);
      }
    }
    let out: T[] = [];
    while (heap.length > 0) {
      const top = heap[0]!;
      out.push(top.batch[top.at++]!);
      if (top.at === top.batch.length) {
        const batch = await nextBatch(streams[top.index]!);
        if (batch !== null) {
          top.batch = batch;
          top.at = 0;
        } else {
          const last = heap.pop()!;
          if (heap.length === 0) break;
          heap[0] = last;
        }
      }
      siftDown(0);
      if (out.length >= size) {
        yield out;
        out = [];
      }
    }
    if (out.length > 0) yield out;
  }
}
