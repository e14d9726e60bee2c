/**
 * A push-driven async iterable: items pushed before anyone reads are buffered, `end()` finishes
 * iteration after the buffer drains, `fail()` makes the next read throw once the buffer drains.
 */
export class AsyncQueue<T> implements AsyncIterable<T> {
  private readonly buffer: T[] = [];
  private readonly readers: { resolve(r: IteratorResult<T>): void; reject(e: unknown): void }[] = [];
  private ended = false;
  private error: { value: unknown } | undefined;

  push(item: T): void {
    if (this.ended) return;
    const reader = this.readers.shift();
    if (reader) reader.resolve({ value: item, done: false });
    else this.buffer.push(item);
  }

  end(): void {
    this.ended = true;
    for (const reader of this.readers.splice(0)) reader.resolve({ value: undefined, done: true });
  }

  fail(error: unknown): void {
    if (this.ended) return;
    this.error = { value: error };
    this.ended = true;
    for (const reader of this.readers.splice(0)) reader.reject(error);
  }

  private next(): Promise<IteratorResult<T>> {
    if (this.buffer.length > 0) return Promise.resolve({ value: this.buffer.shift() as T, done: false });
    if (this.error) return Promise.reject(this.error.value);
    if (this.ended) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => this.readers.push({ resolve, reject }));
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return {
      next: () => this.next(),
      return: async () => ({ value: undefined, done: true }),
    };
  }
}
