import { config } from "zod";

// zod 4 probes `new Function` to compile fast parsers when a schema is built. In the browser the
// CSP forbids eval and reports the probe as a violation, so schemas are built without it there.
// Imported first by root.tsx: Remix evaluates the root route before any other route module.
if (typeof document !== "undefined") config({ jitless: true });
