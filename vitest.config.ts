import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real libvirtd + QEMU guests: `npm run test:vm` (vitest.vm.config.ts), too slow for every run.
    exclude: [...configDefaults.exclude, 'test/vm/**'],
    // Native code runs in tests: a crash in C must take down one worker process, not the run.
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests of the test driver default to instant jobs; a test that watches progress sets its own rate.
    env: { TSVIRT_TEST_RATE: '0' },
  },
});
