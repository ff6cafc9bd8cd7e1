#!/usr/bin/env node
// tsvirt-run PROGRAM.so [ARGS...]: runs a C program against tsvirt's drivers (see src/ts/run/main.ts).
import '../dist/run.js';
