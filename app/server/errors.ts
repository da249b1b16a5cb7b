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
