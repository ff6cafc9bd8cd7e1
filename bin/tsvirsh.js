#!/usr/bin/env node
// tsvirsh: the virsh-compatible shell of tsvirt. The shell itself lives in the built dist/cli.js.
import { main } from '../dist/cli.js';

process.exit(await main(process.argv.slice(2)));
