/** What server.ts hands every loader and action: the response's CSP nonce and the client's address. */
declare module "@remix-run/server-runtime" {
  interface AppLoadContext {
    cspNonce?: string;
    clientAddress?: string;
  }
}

export {};
