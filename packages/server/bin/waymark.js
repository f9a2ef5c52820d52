#!/usr/bin/env node
// The `waymark` command: runs the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
const code = await main(process.argv.slice(2));
// `start` keeps running after main returns; a failed start still exits non-zero.
process.exitCode = code;
