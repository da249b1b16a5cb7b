/**
 * Which ballots an analysis export may tie to a respondent's pseudonym (DESIGN §4). Pure: no
 * Remix, no database.
 *
 * Whoever reads the export also knows, from the panel, progress and audit pages, which items
 * each member answered in each round and which group they are in: their *pattern*. A pseudonym
 * is therefore only given on rows of respondents who share their whole pattern with at least
 * `minSize − 1` others (a *class*), so that no pseudonym can be matched to a member. Everyone
 * else's rows are released without one (the *pool*), and the pool never holds fewer than
 * `minSize` answers in a cell (an item and group) that also has pseudonymous answers, so that it
 * cannot be worked out by subtracting them from the published counts.
 *
 * Rounds are taken in order and a decision is never revisited: the rows of rounds 1..n come out
 * the same whenever the export is made, so comparing exports made after different rounds tells
 * nothing more. A class that splits as later rounds differ gives up pseudonyms only in groups of
 * at least `minSize` (or all of its own), so a pseudonym that stops appearing cannot be pinned
 * either. Members moved out of a class to make up such a group are taken in pseudonym order,
 * which is random and unknown to the reader.
 */
import type { Answer } from "./tally";

export type AnswerRow = {
  round: number;
  item: number;
  /** The group shown on this row ("" when the member's group may not be shown on this item). */
  group: string;
  /** The respondent's stable pseudonym; never released on a pooled row. */
  code: string;
  answer: Answer;
};

export type ReleasedRow = Omit<AnswerRow, "code"> & { respondent: string | null };

/**
 * Respondents who share their whole pattern so far; `origin` is the class they belonged to before
 * this round (null for a class formed this round).
 */
type Linked = { members: string[]; origin: number | null };

const byCode = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function groupBy<T>(values: readonly T[], key: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const k = key(value);
    const group = groups.get(k);
    if (group) group.push(value);
    else groups.set(k, [value]);
  }
  return groups;
}

/** Smallest first; equal sizes by their first pseudonym, so the order is fixed and says nothing. */
const bySize = (a: Linked, b: Linked) => a.members.length - b.members.length || byCode(a.members[0]!, b.members[0]!);

/**
 * Every response, in the given order, with `respondent` set to its pseudonym where it may be
 * released and null where it goes to the pool.
 */
export function releaseResponses(responses: readonly AnswerRow[], minSize: number): ReleasedRow[] {
  const byRound = groupBy(responses, (r) => String(r.round));
  const rounds = [...new Set(responses.map((r) => r.round))].sort((a, b) => a - b);
  let classes: string[][] = [];
  const pooled = new Set<string>();
  const released = new Set<string>();
  for (const round of rounds) {
    const cells = new Map<string, string[]>();
    for (const row of byRound.get(String(round))!) {
      cells.set(row.code, [...(cells.get(row.code) ?? []), `${row.item}\u0000${row.group}`]);
    }
    const pattern = (code: string) => (cells.get(code) ?? []).sort().join("\u0001");
    // How many left each earlier class this round: none, or minSize or more, so that the
    // pseudonyms that stop appearing are never fewer than minSize alike.
    const left = new Map<number, number>();
    const leave = (linked: Linked, needed: number): Linked | null => {
      const owed = linked.origin === null ? needed : Math.max(needed, minSize - (left.get(linked.origin) ?? 0));
      const moving = linked.members.length - owed >= minSize ? linked.members.slice(0, owed) : linked.members;
      for (const code of moving) pooled.add(code);
      if (linked.origin !== null) left.set(linked.origin, (left.get(linked.origin) ?? 0) + moving.length);
      return moving.length === linked.members.length ? null : { ...linked, members: linked.members.slice(owed) };
    };

    // Classes split by this round's pattern; the parts too small to stay leave together, with
    // members of the smallest parts that stay (in pseudonym order) when they are too few.
    let next: Linked[] = [];
    classes.forEach((members, origin) => {
      const parts = [...groupBy(members, pattern).values()];
      let staying: Linked[] = parts
        .filter((p) => p.length >= minSize)
        .map((p) => ({ members: p, origin }))
        .sort(bySize);
      const leaving = parts.filter((p) => p.length < minSize).flat();
      for (const code of leaving) pooled.add(code);
      left.set(origin, leaving.length);
      while (left.get(origin)! > 0 && left.get(origin)! < minSize && staying.length > 0) {
        const [smallest, ...rest] = staying;
        const stays = leave(smallest!, minSize - left.get(origin)!);
        staying = stays ? [stays, ...rest] : rest;
      }
      next.push(...staying);
    });
    // Respondents new to the export form classes of their own, or join the pool for good.
    const known = new Set(classes.flat());
    const newcomers = [...cells.keys()].filter((code) => !known.has(code) && !pooled.has(code)).sort(byCode);
    for (const part of groupBy(newcomers, pattern).values()) {
      if (part.length >= minSize) next.push({ members: part, origin: null });
      else for (const code of part) pooled.add(code);
    }

    // No cell may hold between 1 and minSize − 1 pooled answers beside pseudonymous ones.
    for (;;) {
      const poolCounts = new Map<string, number>();
      for (const [code, answered] of cells) {
        if (pooled.has(code)) for (const cell of answered) poolCounts.set(cell, (poolCounts.get(cell) ?? 0) + 1);
      }
      const shares = (cell: string) => (linked: Linked) => cells.get(linked.members[0]!)?.includes(cell) ?? false;
      const short = [...poolCounts].find(([cell, n]) => n < minSize && next.some(shares(cell)));
      if (!short) break;
      const [cell, n] = short;
      const target = next.filter(shares(cell)).sort(bySize)[0]!;
      const stays = leave(target, minSize - n);
      next = next.filter((linked) => linked !== target);
      if (stays) next.push(stays);
    }
    classes = next.map((linked) => linked.members);
    for (const members of classes) for (const code of members) released.add(`${round}\u0000${code}`);
  }
  return responses.map(({ code, ...rest }) => ({
    ...rest,
    respondent: released.has(`${rest.round}\u0000${code}`) ? code : null,
  }));
}
