import { defineConfig } from 'tsup';
import { buildCli } from './scripts/build-cli.mjs';

export default defineConfig({
  entry: {
    index: 'src/ts/index.ts',
    libvirt: 'src/ts/libvirt.ts',
    run: 'src/ts/run/main.ts',
    tsvirtd: 'src/ts/daemon/main.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: { entry: { index: 'src/ts/index.ts', libvirt: 'src/ts/libvirt.ts' } },
  sourcemap: true,
  splitting: true,
  // tsvirsh is built apart, as CommonJS chunks with code caches (scripts/build-cli.mjs says why).
  onSuccess: buildCli,
});
