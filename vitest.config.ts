import tsconfigPaths from "vite-tsconfig-paths";
import { defineConfig } from "vitest/config";

export default defineConfig({
  plugins: [tsconfigPaths()],
  test: {
    globals: true,
    globalSetup: ["test/support/global-setup.ts"],
    setupFiles: ["test/support/setup.ts"],
    include: ["test/**/*.test.{ts,tsx}"],
    // Generous: CLI tests start tsx processes and the 2-core CI machine may be busy.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
