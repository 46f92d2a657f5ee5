import { configDefaults, defineConfig } from 'vitest/config';

// The packaged-template checks share one `osls package` of the dry and the live stack per run:
// their project's globalSetup packages once, and runs only when one of them is selected.
const PACKAGED = 'test/integration/packaged-*.test.ts';

export default defineConfig({
  test: {
    // Fails any test in which a secret canary reaches output, an audit record or an error.
    setupFiles: ['test/support/canary-guard.setup.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 30_000,
    allowOnly: false,
    passWithNoTests: false,
    projects: [
      {
        extends: true,
        test: {
          name: 'specs',
          include: ['test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, PACKAGED],
        },
      },
      {
        extends: true,
        test: {
          name: 'packaged',
          include: [PACKAGED],
          globalSetup: ['test/support/package-once.global.ts'],
        },
      },
    ],
  },
});
