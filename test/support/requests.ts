const ORIGIN = "http://localhost";

/** A browser-like form POST to a route. */
export function formRequest(path: string, fields: Record<string, string>, init: { cookie?: string } = {}): Request {
  const headers = new Headers({ "Content-Type": "application/x-www-form-urlencoded" });
  if (init.cookie) headers.set("Cookie", init.cookie);
  return new Request(ORIGIN + path, { method: "POST", headers, body: new URLSearchParams(fields) });
}

export function getRequest(path: string, init: { cookie?: string } = {}): Request {
  return new Request(ORIGIN + path, { headers: init.cookie ? { Cookie: init.cookie } : {} });
}

/** The `name=value` pair a browser would send back for a response's Set-Cookie. */
export function cookieFrom(response: Response): string {
  const header = response.headers.get("Set-Cookie");
  if (!header) throw new Error("The response sets no cookie.");
  return header.split(";")[0]!;
}

/** Runs a loader or action and returns its Response, whether it was returned or thrown. */
export async function respond(run: () => Promise<unknown>): Promise<Response> {
  try {
    const result = await run();
    if (result instanceof Response) return result;
    return Response.json(result);
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

/** The Cookie header of a fresh session for a user, as if they had logged in. */
export async function cookieFor(userId: string): Promise<string> {
  const { createSession, sessionCookie } = await import("~/server/auth.server");
  const { token } = createSession(userId);
  return (await sessionCookie().serialize(token)).split(";")[0]!;
}
