import { contentHash } from "./canonical";

/**
 * The audit trail as hash chains (docs/decisions/004-audit-chain.md): one chain per guideline
 * and one for the instance. Each event's hash covers its content, its place in the chain and the
 * previous event's hash, so editing, deleting, inserting or reordering events breaks a link.
 */

/** The chain of events that belong to no guideline; guideline ids never take this form. */
export const INSTANCE_CHAIN = "instance";

export function chainOf(guidelineId: string | null): string {
  return guidelineId ?? INSTANCE_CHAIN;
}

/** What happened, as the application records it. */
export type EventContent = {
  guidelineId: string | null;
  actorId: string | null;
  action: string;
  /** A JSON value: exactly what reading the stored details back gives. */
  details: unknown;
  createdAt: Date;
};

/** An event with its place in its chain: what its hash covers. */
export type ChainedEvent = EventContent & { chain: string; seq: number; prevHash: string | null };

/** The last event of a chain, kept apart from the events so that deleting the newest shows. */
export type ChainHead = { chain: string; seq: number; hash: string };

export function eventHash(event: ChainedEvent): string {
  return contentHash({
    chain: event.chain,
    seq: event.seq,
    guidelineId: event.guidelineId,
    actorId: event.actorId,
    action: event.action,
    details: event.details,
    createdAt: event.createdAt.toISOString(),
    prevHash: event.prevHash,
  });
}

/** The event that follows `head` (undefined for a chain's first event), with its hash. */
export function nextEvent(head: ChainHead | undefined, content: EventContent): ChainedEvent & { hash: string } {
  const event: ChainedEvent = {
    ...content,
    chain: chainOf(content.guidelineId),
    seq: (head?.seq ?? 0) + 1,
    prevHash: head?.hash ?? null,
  };
  return { ...event, hash: eventHash(event) };
}

/**
 * An event as stored: `details` is the stored JSON text and `createdAt` milliseconds since the
 * epoch. Rows are read raw because a tampered row may hold anything, which must show as a broken
 * link rather than stop the verification.
 */
export type StoredEvent = {
  id: number;
  chain: string;
  seq: number;
  guidelineId: string | null;
  actorId: string | null;
  action: string;
  details: string;
  createdAt: number;
  prevHash: string | null;
  hash: string;
};

export type BreakKind =
  "edited" | "deleted" | "inserted" | "relinked" | "reordered" | "truncated" | "head" | "rewritten" | "unrecorded";

/** The first place where a chain stops being the one the application wrote. */
export type BrokenLink = { chain: string; kind: BreakKind; eventId: number | null; seq: number | null; message: string };

/**
 * A published set's `auditHead`: its guideline's chain ended with the event `seq`, of hash `hash`,
 * just before `version` was published. Whoever holds the set holds that hash.
 */
export type PublishedHead = { chain: string; version: number; seq: number; hash: string };

/** A row the chain records nothing (or something else) for: a round, a ballot or a version without its event. */
export type Unrecorded = { chain: string; message: string };

/** What the chains must hold beyond their own links, from the rows of the database. */
export type Expected = {
  /** Chains that must exist: every guideline's, which starts when the guideline is created or imported. */
  chains?: Iterable<string>;
  published?: Iterable<PublishedHead>;
  /** In the order to report them; only the first of a chain is reported. */
  unrecorded?: Iterable<Unrecorded>;
};

export type ChainsReport = { events: number; chains: number; broken: BrokenLink[] };

function recomputedHash(row: StoredEvent): string | null {
  if (!Number.isSafeInteger(row.createdAt)) return null;
  let details: unknown;
  try {
    details = JSON.parse(row.details);
  } catch {
    return null;
  }
  const createdAt = new Date(row.createdAt);
  if (Number.isNaN(createdAt.getTime())) return null;
  return eventHash({ ...row, details, createdAt });
}

function brokenEvent(event: StoredEvent, kind: BreakKind, what: string): BrokenLink {
  const seq = Number.isSafeInteger(event.seq) ? event.seq : null;
  return { chain: event.chain, kind, eventId: event.id, seq, message: `event #${event.id} (seq ${String(event.seq)}) ${what}` };
}

/** Why `event` cannot follow `previous` in a chain whose head is `head`, or null when it can. */
function breakAt(event: StoredEvent, previous: StoredEvent | null, head: ChainHead | undefined): BrokenLink | null {
  const expected = (previous?.seq ?? 0) + 1;
  if (!Number.isSafeInteger(event.seq) || event.seq < expected) {
    return brokenEvent(event, "inserted", `is not in the chain's sequence (expected seq ${expected}): an event was inserted`);
  }
  if (event.seq > expected) {
    const missing = event.seq - 1 === expected ? `seq ${expected} is` : `seq ${expected}–${event.seq - 1} are`;
    return brokenEvent(event, "deleted", `follows a gap: ${missing} missing, events were deleted`);
  }
  if (head && event.seq > head.seq) {
    return brokenEvent(event, "inserted", `comes after the chain's head (seq ${head.seq}): an event was inserted`);
  }
  if (previous && event.id <= previous.id) {
    return brokenEvent(event, "reordered", `has a lower id than seq ${previous.seq} (#${previous.id}): events were reordered`);
  }
  if (event.prevHash !== (previous?.hash ?? null)) {
    return brokenEvent(
      event,
      "relinked",
      `does not link to the previous event: its prevHash is not the hash of seq ${expected - 1}`,
    );
  }
  if (recomputedHash(event) !== event.hash) {
    return brokenEvent(event, "edited", "does not match its hash: the event was edited");
  }
  return null;
}

/** What is wrong between a fully linked chain's last event and its head, or null. */
function breakAtHead(chain: string, last: StoredEvent | null, head: ChainHead | undefined): BrokenLink | null {
  const broken = (kind: BreakKind, message: string): BrokenLink => ({
    chain,
    kind,
    eventId: null,
    seq: head?.seq ?? null,
    message,
  });
  if (!head) return broken("head", "the chain has no head: its events were inserted or its head deleted");
  if (!last) return broken("truncated", `the head is at seq ${head.seq} but the chain has no events: they were deleted`);
  if (head.seq > last.seq) {
    return broken(
      "truncated",
      `the head is at seq ${head.seq} but the last event is seq ${last.seq}: the newest events were deleted`,
    );
  }
  if (head.hash !== last.hash)
    return broken(
      "head",
      `the head's hash is not the hash of the last event (seq ${last.seq}): the head or that event was altered`,
    );
  return null;
}

/** Whether `event` is still the one that published sets recorded as the head at its seq; forgets those it checked. */
function breakAtPublished(event: StoredEvent, pending: Map<number, PublishedHead[]>): BrokenLink | null {
  const held = pending.get(event.seq) ?? [];
  pending.delete(event.seq);
  const differs = held.find((head) => head.hash !== event.hash);
  if (!differs) return null;
  const what = `is not the event version ${differs.version} was published after (its auditHead): the history was rewritten`;
  return brokenEvent(event, "rewritten", what);
}

/** A published head the walk of an intact chain never reached: the chain now ends before it. */
function breakBeyondEnd(chain: string, last: StoredEvent, pending: Map<number, PublishedHead[]>): BrokenLink | null {
  const first = [...pending.values()].flat().sort((a, b) => a.version - b.version)[0];
  if (!first) return null;
  const message = `version ${first.version} was published after seq ${first.seq}, but the chain ends at seq ${last.seq}`;
  return { chain, kind: "truncated", eventId: null, seq: first.seq, message: `${message}: the newest events were deleted` };
}

/** The published heads of each chain, by seq. */
function publishedBySeq(published: Iterable<PublishedHead>): Map<string, Map<number, PublishedHead[]>> {
  const bySeq = new Map<string, Map<number, PublishedHead[]>>();
  for (const head of published) {
    const ofChain = bySeq.get(head.chain) ?? new Map<number, PublishedHead[]>();
    ofChain.set(head.seq, [...(ofChain.get(head.seq) ?? []), head]);
    bySeq.set(head.chain, ofChain);
  }
  return bySeq;
}

/**
 * Verifies every chain and reports the first broken link of each: where its links break, else
 * where it no longer holds a head a published set recorded, else its first row without an event.
 * `events` must come ordered by chain, seq and id (`ORDER BY chain, seq, id`); they are read once,
 * so a cursor over millions of rows is fine.
 */
export function verifyChains(events: Iterable<StoredEvent>, heads: Iterable<ChainHead>, expected: Expected = {}): ChainsReport {
  const headOf = new Map<string, ChainHead>();
  for (const head of heads) headOf.set(head.chain, head);
  const publishedOf = publishedBySeq(expected.published ?? []);
  const required = new Set([...(expected.chains ?? []), ...publishedOf.keys()]);
  const walked = new Set<string>();
  const broken = new Map<string, BrokenLink>();
  let count = 0;
  // The chain being walked: its last event read, the published heads it has not reached yet, and
  // whether its first broken link was found.
  let chain: string | null = null;
  let last: StoredEvent | null = null;
  let pending = new Map<number, PublishedHead[]>();
  let found = false;

  const finish = () => {
    if (chain === null || found) return;
    const link = breakAtHead(chain, last, headOf.get(chain)) ?? breakBeyondEnd(chain, last!, pending);
    if (link) broken.set(chain, link);
  };

  for (const event of events) {
    count += 1;
    if (event.chain !== chain) {
      finish();
      if (walked.has(event.chain)) throw new Error("verifyChains needs the events ordered by chain, seq and id.");
      walked.add(event.chain);
      [chain, last, pending, found] = [event.chain, null, new Map(publishedOf.get(event.chain)), false];
    }
    if (found) continue;
    const link = breakAt(event, last, headOf.get(event.chain)) ?? breakAtPublished(event, pending);
    if (link) {
      broken.set(event.chain, link);
      found = true;
    }
    last = event;
  }
  finish();
  for (const [chain, head] of headOf) {
    if (!walked.has(chain)) broken.set(chain, breakAtHead(chain, null, head)!);
  }
  for (const chain of required) {
    if (walked.has(chain) || headOf.has(chain)) continue;
    const message = "there is no audit trail at all: every event and the head were deleted";
    broken.set(chain, { chain, kind: "deleted", eventId: null, seq: null, message });
  }
  for (const { chain, message } of expected.unrecorded ?? []) {
    if (!broken.has(chain)) broken.set(chain, { chain, kind: "unrecorded", eventId: null, seq: null, message });
  }
  const chains = new Set([...walked, ...headOf.keys(), ...required, ...broken.keys()]);
  return { events: count, chains: chains.size, broken: [...broken.values()] };
}
