#!/usr/bin/env node
// `npm start`: the main job on the built-in test driver. Saves the default domain with live progress
// (Ctrl-C cancels the job and removes the partial file), then shows the domain's state.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const dir = mkdtempSync(join(tmpdir(), 'tsvirt-demo-'));
const file = join(dir, 'test.save');
const batch = `save --verbose test ${file}; domstate test --reason; restore --verbose ${file}; domstate test --reason`;
console.log(`$ tsvirsh -c test:///default '${batch}'`);
const run = spawnSync(process.execPath, [join(root, 'bin', 'tsvirsh.cjs'), '-c', 'test:///default', batch], {
  stdio: 'inherit',
});
rmSync(dir, { recursive: true, force: true });
process.exitCode = run.status ?? 1;
