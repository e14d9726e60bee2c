#!/usr/bin/env node
import { main } from "./main.js";

const code = await main(process.argv.slice(2));
process.exitCode = code;
// Everything the command opened is closed by now; if a stray handle (a keep-alive socket, a
// timer) still holds the event loop, do not let it hold the shell too.
setTimeout(() => process.exit(code), 2_000).unref();
