import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Names the run's PostgreSQL test schemas and drops them after the last file (see the file for why not sooner).
    globalSetup: ["test/support/postgres-schemas.ts"],
    // Integration suites start gRPC servers and carrier emulators on loopback; keep the 2-core machine calm.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    reporters: ["default"],
  },
});
