import { createContext, useContext } from "react";

/** The response's CSP nonce, set on the server; browsers hide it from the DOM, so it is "" on the client. */
const NonceContext = createContext("");

export const NonceProvider = NonceContext.Provider;

export function useNonce(): string {
  return useContext(NonceContext);
}
