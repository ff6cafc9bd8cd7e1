import { defineConfig } from 'tsup';

export default defineConfig({
  entry: {
    index: 'src/ts/index.ts',
    libvirt: 'src/ts/libvirt.ts',
    cli: 'src/ts/cli/main.ts',
    run: 'src/ts/run/main.ts',
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  sourcemap: true,
  clean: true,
  splitting: true,
});
