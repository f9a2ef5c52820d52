#!/usr/bin/env node
// The `waymark` command: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
if (process.argv[2] !== 'start') process.exitCode = code;
