/** @type {import('@remix-run/dev').AppConfig} */
export default {
  // Our own server entry (server.ts) is compiled together with the app into build/index.js,
  // so env validation, migrations and HTTP hardening run before the first request.
  server: "./server.ts",
  serverBuildPath: "build/index.js",
  serverModuleFormat: "esm",
  serverPlatform: "node",
  ignoredRouteFiles: ["**/.*", "**/*.test.*"],
  // Single fetch stays off: loaders and actions return plain Responses (JSON bodies with status codes).
  future: {
    v3_fetcherPersist: true,
    v3_lazyRouteDiscovery: true,
    v3_relativeSplatPath: true,
    v3_singleFetch: false,
    v3_throwAbortReason: true,
  },
};
