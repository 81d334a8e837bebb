#!/usr/bin/env node
import { runTelltaleCli } from './telltale-cli';

runTelltaleCli(process.argv.slice(2), (line) => process.stdout.write(`${line}\n`), (line) => process.stderr.write(`${line}\n`)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`telltale: ${(error as Error).message}\n`);
    process.exitCode = 1;
  },
);
