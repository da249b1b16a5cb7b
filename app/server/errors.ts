/**
 * A request the domain refuses (nothing was changed): carries the HTTP status a route should
 * answer with and a message fit to show the person who asked.
 */
export class Refusal extends Error {
  constructor(
    message: string,
    readonly status: 400 | 403 | 404 | 409 | 410 | 422 = 409,
  ) {
    super(message);
    this.name = "Refusal";
  }
}

/** The one response a refusal becomes: its message as JSON `{ error }`, with its status. */
export function refusalResponse(refusal: Refusal, headers?: HeadersInit): Response {
  return Response.json({ error: refusal.message }, { status: refusal.status, headers });
}

/** Runs a loader's read; a refusal is thrown as its response (the route's error page shows it). */
export function refusing<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof Refusal) throw refusalResponse(error);
    throw error;
  }
}
