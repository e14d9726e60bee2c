import { InterruptedError } from "./errors.js";
import type { CliIo } from "./io.js";

/**
 * First SIGINT/SIGTERM aborts the controller (the run then stops every task and rejects);
 * a second one exits at once, telling the user how to clean up what may be left.
 * Returns a function that removes the handlers.
 */
export function abortOnSignals(
  controller: AbortController,
  io: CliIo,
  note: (line: string) => void,
  hint: () => string,
): () => void {
  let received = 0;
  const handler = (signal: NodeJS.Signals) => {
    received += 1;
    if (received === 1) {
      note(`${signal}: stopping every task of this run… (again to exit without waiting)`);
      controller.abort(new InterruptedError(signal));
      return;
    }
    io.stderr.write(`\n${signal} again: exiting without waiting. ${hint()}\n`);
    // The only place outside bin.ts that ends the process: the user insisted.
    process.exit(130);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
