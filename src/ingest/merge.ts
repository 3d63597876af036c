/**
 * Merge several individually sorted async streams into one sorted stream (k-way, binary heap).
 * Equal items come from the stream listed first, so ties keep input order.
 */
export async function* mergeSorted<T>(
  streams: AsyncIterator<T>[],
  compare: (a: T, b: T) => number,
): AsyncGenerator<T> {
  interface Head {
    value: T;
    index: number;
  }
  const heap: Head[] = [];
  const less = (a: Head, b: Head): boolean => {
    const c = compare(a.value, b.value);
    return c < 0 || (c === 0 && a.index < b.index);
  };
  const push = (h: Head): void => {
    heap.push(h);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  };
  const pop = (): Head => {
    const top = heap[0]!;
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  };

  try {
    for (let index = 0; index < streams.length; index++) {
      const next = await streams[index]!.next();
      if (!next.done) push({ value: next.value, index });
    }
    while (heap.length > 0) {
      const head = pop();
      yield head.value;
      const next = await streams[head.index]!.next();
      if (!next.done) push({ value: next.value, index: head.index });
    }
  } finally {
    await returnAll(streams);
  }
}

/** Stop every stream (e.g. a spilled sort run removes its files), also when merging stopped early. */
async function returnAll(streams: AsyncIterator<unknown>[]): Promise<void> {
  for (const s of streams) await s.return?.();
}

/**
 * The same over streams of sorted batches, handing on batches of up to `size` items: one stream
 * passes straight through, several are merged item by item.
 */
export async function* mergeSortedBatches<T>(
  streams: AsyncIterator<T[]>[],
  compare: (a: T, b: T) => number,
  size: number,
): AsyncGenerator<T[]> {
  if (streams.length === 1) {
    try {
      for (let next = await streams[0]!.next(); !next.done; next = await streams[0]!.next()) yield next.value;
    } finally {
      await returnAll(streams);
    }
    return;
  }
  const items = streams.map(async function* (s): AsyncGenerator<T> {
    try {
      for (let next = await s.next(); !next.done; next = await s.next()) yield* next.value;
    } finally {
      await s.return?.();
    }
  });
  let out: T[] = [];
  for await (const item of mergeSorted(items, compare)) {
    out.push(item);
    if (out.length >= size) {
      yield out;
      out = [];
    }
  }
  if (out.length > 0) yield out;
}
