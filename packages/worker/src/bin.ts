#!/usr/bin/env node
import { isSecretVariable, loadWorkerConfig } from "./config.js";
import { WorkerConfigError } from "./errors.js";
import { stopDeadlineMs } from "./lifecycle/stop-deadline.js";
import { jsonLinesToStdout } from "./log.js";
import { startWorker } from "./worker.js";

/** ecs-fanout-worker: configuration from the environment only; JSON log lines on stdout. */
async function main(): Promise<number> {
  let config: ReturnType<typeof loadWorkerConfig>;
  try {
    config = loadWorkerConfig(process.env);
  } catch (error) {
    if (error instanceof WorkerConfigError) {
      jsonLinesToStdout({ event: "worker.config.invalid", level: "error", problems: [...error.problems] });
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  // Read once: ffmpeg, ffprobe and the GPU tools inherit this environment, and must never see
  // the token hash or the TLS private key.
  for (const name of Object.keys(process.env)) if (isSecretVariable(name)) delete process.env[name];
  // ECS sends SIGTERM on StopTask and Spot interruption, then SIGKILL after stopTimeout:
  // finish in-flight work but leave before the kill. Handlers go in before start-up, so a
  // signal that arrives while the server is still binding is not fatal (it stops it cleanly).
  let worker: Awaited<ReturnType<typeof startWorker>> | undefined;
  let pending: NodeJS.Signals | undefined;
  const stop = (signal: NodeJS.Signals) => {
    void worker?.shutdown({ deadlineMs: stopDeadlineMs(config.stopTimeoutSeconds), reason: signal });
  };
  const onTerm = (signal: NodeJS.Signals) => {
    if (worker) stop(signal);
    else pending = signal;
  };
  process.once("SIGTERM", onTerm);
  process.once("SIGINT", onTerm);
  worker = await startWorker(config);
  if (pending) stop(pending);
  return worker.done;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    jsonLinesToStdout({ event: "worker.failed", level: "error", error: String(error) });
    process.exit(1);
  },
);
