/**
 * A pipeline stage that passes a body's chunks on and, when the body is cut (socket reset,
 * premature close), ends cleanly instead of failing, handing the error to `onCut`. The file
 * stream after it then writes every chunk that arrived before it closes; a failing pipeline would
 * destroy it with chunks still queued, leaving fewer bytes on disk than were received and hashed.
 * Only the body's own errors are caught: a later stage that throws still fails the pipeline.
 */
export function untilCut(onCut: (error: unknown) => void) {
  return async function* (source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
    const chunks = source[Symbol.asyncIterator]();
    for (;;) {
      let next: IteratorResult<Buffer>;
      try {
        next = await chunks.next();
      } catch (error) {
        onCut(error);
        return;
      }
      if (next.done) return;
      yield next.value;
    }
  };
}
