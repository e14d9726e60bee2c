// What an app embedding the command needs: run it (or build its command tree), the exit codes
// and errors it maps, and the local target the demo and the examples borrow.
export { CliError, type CliErrorCode, ExitCode } from "./errors.js";
export type { CliIo, CliStream } from "./io.js";
export { main } from "./main.js";
export { createProgram } from "./program.js";
export { gpuStandInEnvironment } from "./stand-in.js";
export { type LocalTarget, type LocalTargetOptions, openLocalTarget } from "./target/local.js";
export type { Target } from "./target/target.js";
