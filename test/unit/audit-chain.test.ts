import fc from "fast-check";
import { describe, expect, test } from "vitest";
import {
  chainOf,
  eventHash,
  INSTANCE_CHAIN,
  nextEvent,
  verifyChains,
  type ChainedEvent,
  type ChainHead,
  type EventContent,
  type PublishedHead,
  type StoredEvent,
} from "~/consensus/audit-chain";
import { canonicalJson } from "~/consensus/canonical";

const at = (minute: number) => new Date(Date.UTC(2026, 0, 10, 9, minute));

/** Appends contents as the application does, storing rows the way SQLite returns them. */
function record(contents: EventContent[]): { events: StoredEvent[]; heads: ChainHead[] } {
  const heads = new Map<string, ChainHead>();
  const events = contents.map((content, index) => {
    const event = nextEvent(heads.get(chainOf(content.guidelineId)), content);
    heads.set(event.chain, { chain: event.chain, seq: event.seq, hash: event.hash });
    return { ...event, id: index + 1, details: JSON.stringify(event.details), createdAt: event.createdAt.getTime() };
  });
  return { events, heads: [...heads.values()] };
}

/** `ORDER BY chain, seq, id`, as the verification reads them. */
const ordered = (events: StoredEvent[]) =>
  [...events].sort((a, b) => (a.chain < b.chain ? -1 : a.chain > b.chain ? 1 : a.seq - b.seq || a.id - b.id));

const verify = (events: StoredEvent[], heads: ChainHead[]) => verifyChains(ordered(events), heads);

const content = (guidelineId: string | null, minute: number, action = "statement.revised"): EventContent => ({
  guidelineId,
  actorId: "secretary",
  action,
  details: { statement: minute, revision: 2 },
  createdAt: at(minute),
});

/** Two guidelines' chains of five events each, interleaved, and the instance's chain of two. */
function trail() {
  const contents = [1, 2, 3, 4, 5].flatMap((m) => [content("g-a", m), content("g-b", m, "ballot.cast")]);
  return record([...contents, content(null, 6, "admin.created"), content(null, 7, "admin.created")]);
}

/** The stored event of chain `chain` at `seq`. */
const find = (events: StoredEvent[], chain: string, seq: number) => events.find((e) => e.chain === chain && e.seq === seq)!;

function brokenAt(events: StoredEvent[], heads: ChainHead[]) {
  return verify(events, heads).broken.map(({ chain, kind, seq }) => ({ chain, kind, seq }));
}

describe("hashing an audit event", () => {
  const base: ChainedEvent = { ...content("g-a", 1), chain: "g-a", seq: 1, prevHash: null };

  test("is deterministic and ignores the order of keys in the details", () => {
    expect(eventHash(base)).toBe(eventHash({ ...base }));
    expect(eventHash(base)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(eventHash({ ...base, details: { revision: 2, statement: 1 } })).toBe(eventHash(base));
    expect(eventHash({ ...base, createdAt: new Date(at(1).getTime()) })).toBe(eventHash(base));
  });

  test("changes with any field", () => {
    const changes: Partial<ChainedEvent>[] = [
      { chain: "g-b" },
      { seq: 2 },
      { guidelineId: "g-b" },
      { guidelineId: null },
      { actorId: "someone-else" },
      { actorId: null },
      { action: "statement.retired" },
      { details: { statement: 1, revision: 3 } },
      { details: { statement: 1, revision: 2, extra: null } },
      { details: {} },
      { createdAt: new Date(at(1).getTime() + 1) },
      { prevHash: "sha256:" + "0".repeat(64) },
    ];
    const hashes = changes.map((change) => eventHash({ ...base, ...change }));
    expect(new Set([eventHash(base), ...hashes]).size).toBe(changes.length + 1);
  });

  test("changes whenever a field changes, for any event (property)", () => {
    const json = fc.jsonValue().map((v) => JSON.parse(JSON.stringify(v)) as unknown);
    const event = fc.record({
      chain: fc.string(),
      seq: fc.integer({ min: 1 }),
      guidelineId: fc.option(fc.string()),
      actorId: fc.option(fc.string()),
      action: fc.string(),
      details: json,
      createdAt: fc.date({ noInvalidDate: true, min: new Date(0), max: new Date(Date.UTC(9999, 0)) }),
      prevHash: fc.option(fc.string()),
    });
    const field = fc.constantFrom<keyof ChainedEvent>(
      "chain",
      "seq",
      "guidelineId",
      "actorId",
      "action",
      "details",
      "createdAt",
      "prevHash",
    );
    fc.assert(
      fc.property(event, event, field, (a, b, key) => {
        const changed = { ...a, [key]: b[key] };
        fc.pre(canonicalJson(changed[key]) !== canonicalJson(a[key]));
        expect(eventHash(changed)).not.toBe(eventHash(a));
      }),
      { numRuns: 300 },
    );
  });

  test("chains each event to the head it follows", () => {
    const first = nextEvent(undefined, content(null, 1));
    expect(first).toMatchObject({ chain: INSTANCE_CHAIN, seq: 1, prevHash: null });
    const second = nextEvent({ chain: INSTANCE_CHAIN, seq: 1, hash: first.hash }, content(null, 2));
    expect(second).toMatchObject({ chain: INSTANCE_CHAIN, seq: 2, prevHash: first.hash });
    expect(second.hash).toBe(eventHash(second));
  });
});

describe("verifying the chains", () => {
  test("an untouched trail verifies, whatever the order it was written in", () => {
    const { events, heads } = trail();
    expect(verify(events, heads)).toEqual({ events: 12, chains: 3, broken: [] });
    expect(verifyChains([], [])).toEqual({ events: 0, chains: 0, broken: [] });
  });

  test("an edited field shows as an edit of that event, and only its chain breaks", () => {
    const edits: [string, (e: StoredEvent) => void][] = [
      ["action", (e) => (e.action = "statement.retired")],
      ["details", (e) => (e.details = '{"statement":3,"revision":1}')],
      ["actorId", (e) => (e.actorId = null)],
      ["createdAt", (e) => (e.createdAt += 1)],
      ["guidelineId", (e) => (e.guidelineId = "g-b")],
      ["hash", (e) => (e.hash = "sha256:" + "a".repeat(64))],
    ];
    for (const [, edit] of edits) {
      const { events, heads } = trail();
      edit(find(events, "g-a", 3));
      expect(brokenAt(events, heads)).toEqual([{ chain: "g-a", kind: "edited", seq: 3 }]);
    }
  });

  test("a changed prevHash breaks the link to the previous event", () => {
    const { events, heads } = trail();
    find(events, "g-b", 4).prevHash = find(events, "g-b", 2).hash;
    expect(brokenAt(events, heads)).toEqual([{ chain: "g-b", kind: "relinked", seq: 4 }]);
    const first = trail();
    find(first.events, "g-b", 1).prevHash = "sha256:" + "0".repeat(64);
    expect(brokenAt(first.events, first.heads)).toEqual([{ chain: "g-b", kind: "relinked", seq: 1 }]);
  });

  test("values a tampered row cannot hold are reported, not thrown", () => {
    const garbage: ((e: StoredEvent) => void)[] = [
      (e) => (e.details = "{not json"),
      (e) => (e.createdAt = "yesterday" as unknown as number),
      (e) => (e.createdAt = 8.64e15 + 1),
      (e) => (e.createdAt = 1.5),
    ];
    for (const edit of garbage) {
      const { events, heads } = trail();
      edit(find(events, "g-a", 2));
      expect(brokenAt(events, heads)).toEqual([{ chain: "g-a", kind: "edited", seq: 2 }]);
    }
  });

  test("a deleted event leaves a gap, first or in the middle", () => {
    for (const seq of [1, 3]) {
      const { events, heads } = trail();
      const verification = verify(
        events.filter((e) => e !== find(events, "g-a", seq)),
        heads,
      );
      expect(verification.broken).toEqual([
        {
          chain: "g-a",
          kind: "deleted",
          seq: seq + 1,
          eventId: find(events, "g-a", seq + 1).id,
          message: `event #${find(events, "g-a", seq + 1).id} (seq ${seq + 1}) follows a gap: seq ${seq} is missing, events were deleted`,
        },
      ]);
    }
    const { events, heads } = trail();
    const kept = events.filter((e) => !(e.chain === "g-a" && (e.seq === 2 || e.seq === 3)));
    expect(verify(kept, heads).broken[0]?.message).toContain("seq 2–3 are missing");
  });

  test("deleting the newest events shows against the head", () => {
    const { events, heads } = trail();
    const kept = events.filter((e) => !(e.chain === "g-b" && e.seq >= 4));
    expect(verify(kept, heads).broken).toEqual([
      {
        chain: "g-b",
        kind: "truncated",
        eventId: null,
        seq: 5,
        message: "the head is at seq 5 but the last event is seq 3: the newest events were deleted",
      },
    ]);
    const emptied = events.filter((e) => e.chain !== INSTANCE_CHAIN);
    expect(verify(emptied, heads).broken).toEqual([
      expect.objectContaining({ chain: INSTANCE_CHAIN, kind: "truncated", message: expect.stringContaining("has no events") }),
    ]);
    expect(verify(emptied, heads)).toMatchObject({ events: 10, chains: 3 });
  });

  test("an inserted event shows, wherever it goes", () => {
    const { events, heads } = trail();
    const last = find(events, "g-a", 5);
    // A perfect forgery at the end: right seq, right link, right hash; only the head knows.
    const appended = nextEvent({ chain: "g-a", seq: 5, hash: last.hash }, content("g-a", 9));
    const forged: StoredEvent = { ...appended, id: 99, details: JSON.stringify(appended.details), createdAt: at(9).getTime() };
    expect(brokenAt([...events, forged], heads)).toEqual([{ chain: "g-a", kind: "inserted", seq: 6 }]);
    // A second event at a seq already taken.
    expect(brokenAt([...events, { ...find(events, "g-a", 2), id: 98 }], heads)).toEqual([
      { chain: "g-a", kind: "inserted", seq: 2 },
    ]);
    // A seq that is not a whole number.
    expect(brokenAt([...events, { ...forged, seq: 2.5 }], heads)).toEqual([{ chain: "g-a", kind: "inserted", seq: null }]);
    // A whole new chain, correctly hashed, but no head.
    const newChain = record([content("g-c", 1)]).events;
    expect(brokenAt([...events, ...newChain], heads)).toEqual([{ chain: "g-c", kind: "head", seq: null }]);
  });

  test("reordered events show", () => {
    const swappedSeqs = trail();
    const [two, three] = [find(swappedSeqs.events, "g-a", 2), find(swappedSeqs.events, "g-a", 3)];
    [two.seq, three.seq] = [3, 2];
    expect(brokenAt(swappedSeqs.events, swappedSeqs.heads)).toEqual([{ chain: "g-a", kind: "relinked", seq: 2 }]);

    const swappedIds = trail();
    const [a, b] = [find(swappedIds.events, "g-b", 2), find(swappedIds.events, "g-b", 3)];
    [a.id, b.id] = [b.id, a.id];
    expect(brokenAt(swappedIds.events, swappedIds.heads)).toEqual([{ chain: "g-b", kind: "reordered", seq: 3 }]);
  });

  test("an altered head shows", () => {
    const { events, heads } = trail();
    const moved = heads.map((h) => (h.chain === "g-a" ? { ...h, hash: find(events, "g-a", 4).hash } : h));
    expect(brokenAt(events, moved)).toEqual([{ chain: "g-a", kind: "head", seq: 5 }]);
    const behind = heads.map((h) => (h.chain === "g-a" ? { ...h, seq: 4 } : h));
    expect(brokenAt(events, behind)).toEqual([{ chain: "g-a", kind: "inserted", seq: 5 }]);
  });

  test("reports the first broken link of each broken chain", () => {
    const { events, heads } = trail();
    find(events, "g-a", 2).action = "x";
    find(events, "g-a", 4).action = "y";
    const kept = events.filter((e) => e !== find(events, "g-b", 5));
    expect(brokenAt(kept, heads)).toEqual([
      { chain: "g-a", kind: "edited", seq: 2 },
      { chain: "g-b", kind: "truncated", seq: 5 },
    ]);
  });

  test("needs the events ordered by chain", () => {
    const { events, heads } = trail();
    expect(() => verifyChains(events, heads)).toThrow("ordered by chain, seq and id");
  });
});

describe("verifying the chains against what the rows say they hold", () => {
  /** What a set published after g-a's event `seq` recorded: that event's place and hash. */
  const publishedAfter = (events: StoredEvent[], seq: number, version = 1): PublishedHead => ({
    chain: "g-a",
    version,
    seq,
    hash: find(events, "g-a", seq).hash,
  });

  test("a guideline without events or head has lost its whole chain", () => {
    const { events, heads } = trail();
    const message = "there is no audit trail at all: every event and the head were deleted";
    const gone = { kind: "deleted", eventId: null, seq: null, message };
    expect(verifyChains(ordered(events), heads, { chains: ["g-a", "g-b", "g-c"] })).toEqual({
      events: 12,
      chains: 4,
      broken: [{ chain: "g-c", ...gone }],
    });
    const withoutB = ordered(events.filter((e) => e.chain !== "g-b"));
    expect(
      verifyChains(
        withoutB,
        heads.filter((h) => h.chain !== "g-b"),
        { chains: ["g-a", "g-b"] },
      ).broken,
    ).toEqual([{ chain: "g-b", ...gone }]);
  });

  test("a chain cut short with its head moved back no longer reaches a published head", () => {
    const { events, heads } = trail();
    const published = [publishedAfter(events, 4, 2), publishedAfter(events, 3)];
    const intact = verifyChains(ordered(events), heads, { chains: ["g-a", "g-b"], published });
    expect(intact).toEqual({ events: 12, chains: 3, broken: [] });
    const kept = events.filter((e) => !(e.chain === "g-a" && e.seq >= 3));
    const movedBack = heads.map((h) => (h.chain === "g-a" ? { chain: "g-a", seq: 2, hash: find(events, "g-a", 2).hash } : h));
    expect(verify(kept, movedBack).broken).toEqual([]);
    expect(verifyChains(ordered(kept), movedBack, { published }).broken).toEqual([
      {
        chain: "g-a",
        kind: "truncated",
        eventId: null,
        seq: 3,
        message: "version 1 was published after seq 3, but the chain ends at seq 2: the newest events were deleted",
      },
    ]);
  });

  test("a chain rewritten consistently no longer holds a published head", () => {
    const { events, heads } = trail();
    const published = [publishedAfter(events, 3)];
    // A forger's perfect rewrite of g-a from its third event on: every link and the head hold.
    const forged = record([1, 2, 3, 4, 5].map((m) => content("g-a", m, m === 3 ? "statement.retired" : "statement.revised")));
    const rewritten = [...forged.events, ...events.filter((e) => e.chain !== "g-a")];
    const rewrittenHeads = [...forged.heads, ...heads.filter((h) => h.chain !== "g-a")];
    expect(verify(rewritten, rewrittenHeads).broken).toEqual([]);
    const third = find(rewritten, "g-a", 3);
    expect(verifyChains(ordered(rewritten), rewrittenHeads, { published }).broken).toEqual([
      {
        chain: "g-a",
        kind: "rewritten",
        eventId: third.id,
        seq: 3,
        message:
          `event #${third.id} (seq 3) is not the event version 1 was published after (its auditHead): ` +
          "the history was rewritten",
      },
    ]);
  });

  test("a row without its event breaks the chain it belongs to: the first such row, unless a link broke first", () => {
    const { events, heads } = trail();
    const unrecorded = [
      { chain: "g-b", message: 'round 2 was opened but the audit trail has no "round.opened" event' },
      { chain: "g-b", message: 'round 3 was opened but the audit trail has no "round.opened" event' },
      { chain: "g-a", message: 'version 1 was published but the audit trail has no "version.published" event' },
    ];
    find(events, "g-a", 2).action = "x";
    expect(verifyChains(ordered(events), heads, { unrecorded }).broken).toEqual([
      { chain: "g-a", kind: "edited", eventId: find(events, "g-a", 2).id, seq: 2, message: expect.stringContaining("edited") },
      { chain: "g-b", kind: "unrecorded", eventId: null, seq: null, message: unrecorded[0]!.message },
    ]);
  });
});
