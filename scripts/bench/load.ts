/** The loads: autocannon runs with ballots rotating over panelists and statements, and plain GETs. */
import autocannon, { type Options, type Result } from "autocannon";
import type { Choice } from "@db/schema";
import { choiceOf } from "./scale-data";

export type Measured = {
  rps: number;
  p50: number;
  p99: number;
  requests: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
};

export type LoadSettings = { connections: number; duration: number };

/** A server's median round, with the req/s of every round in the order they ran. */
export type Compared = Measured & { rounds: number[] };

function measured(result: Result): Measured {
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    statuses: Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, s]) => [code, s.count])),
    errors: result.errors,
    timeouts: result.timeouts,
  };
}

export async function run(options: Options): Promise<Measured> {
  return measured(await autocannon(options));
}

/**
 * Which ballot request k casts: panelist k mod P on statement ⌊k / P⌋ mod S, so consecutive
 * requests come from different panelists and no pair is voted twice in the first P × S requests.
 * The choice always differs from the data set's, so a saved ballot is visible in the database.
 */
export function ballotOf(k: number, panelists: number, statements: number): { m: number; i: number; choice: Choice } {
  const m = k % panelists;
  const i = Math.floor(k / panelists) % statements;
  return { m, i, choice: choiceOf(m, i) === "agree" ? "disagree" : "agree" };
}

/**
 * Whether a response acknowledges a saved ballot. Not every 2xx does: a Remix data request
 * that is redirected (e.g. to /login) answers 204 with X-Remix-Redirect.
 */
export function isSaved(status: number, body: string): boolean {
  return status === 200 && body.startsWith('{"ok":true');
}

/** Every ballot request sent and every one acknowledged as saved, by its number k; the others by status. */
export type Ledger = { next: number; sent: Set<number>; acknowledged: Set<number>; refused: Record<string, number> };

export function newLedger(): Ledger {
  return { next: 0, sent: new Set(), acknowledged: new Set(), refused: {} };
}

/**
 * A POST per ballot, each request building its own body and cookie. autocannon keeps a context
 * per connection and sends one request at a time on it, so the context names the request that
 * the next response answers.
 */
export function ballotLoad(input: {
  url: string;
  path: string;
  settings: LoadSettings;
  panelists: number;
  statements: number;
  ledger: Ledger;
  request: (ballot: { m: number; i: number; choice: Choice }) => { cookie: string; body: string };
}): Promise<Measured> {
  const { ledger } = input;
  return run({
    url: input.url,
    connections: input.settings.connections,
    duration: input.settings.duration,
    requests: [
      {
        method: "POST",
        path: input.path,
        setupRequest: (request, context) => {
          const k = ledger.next++;
          context.k = k;
          ledger.sent.add(k);
          const { cookie, body } = input.request(ballotOf(k, input.panelists, input.statements));
          return {
            ...request,
            headers: {
              "Content-Type": "application/x-www-form-urlencoded",
              "Sec-Fetch-Site": "same-origin",
              Cookie: cookie,
            },
            body,
          };
        },
        onResponse: (status, body, context) => {
          if (isSaved(status, body)) ledger.acknowledged.add(context.k as number);
          else ledger.refused[status] = (ledger.refused[status] ?? 0) + 1;
        },
      },
    ],
  });
}

export function getLoad(url: string, settings: LoadSettings, headers: Record<string, string> = {}): Promise<Measured> {
  return run({ url, connections: settings.connections, duration: settings.duration, headers });
}
