#!/usr/bin/env node
import { processIo } from './cli-io.ts';
import { runCli } from './run-cli.ts';

// Let stdout drain and the process end on its own: process.exit() could cut off piped output.
process.exitCode = await runCli(process.argv.slice(2), processIo());
