#!/usr/bin/env node
// Entry point of the solera CLI. The CLI is TypeScript run by Node's type stripping (Node 22.18
// or later). Type stripping and compiling every module on each start costs a few hundred
// milliseconds; Node's compile cache (in the OS temp dir) keeps the result between runs, so it
// is enabled before the CLI's modules are imported.
import { enableCompileCache } from "node:module";

enableCompileCache?.();
const { exitQuietlyOnClosedPipe, runCli } = await import("../src/cli/main.ts");
exitQuietlyOnClosedPipe();
process.exitCode = await runCli(process.argv.slice(2));
