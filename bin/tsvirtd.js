#!/usr/bin/env node
// tsvirtd: tsvirt's daemon speaking libvirt's RPC protocol (src/ts/daemon, built into dist/tsvirtd.js).
import { main } from '../dist/tsvirtd.js';

process.exitCode = await main(process.argv.slice(2));
