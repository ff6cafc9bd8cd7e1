import { defineConfig } from 'vitest/config';

// `npm run test:vm`: real libvirtd and real QEMU (TCG) guests, docs/vm-testing.md. Kept out of `npm test`
// because a guest takes seconds to boot. One file at a time: two TCG guests on two shared cores only slow
// each other down.
export default defineConfig({
  test: {
    include: ['test/vm/**/*.test.ts'],
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 240_000,
    hookTimeout: 240_000,
  },
});
