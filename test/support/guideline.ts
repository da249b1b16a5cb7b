import type { DB } from "@db/client.server";
import type { Choice } from "@db/schema";
import { addMember, castBallot, createGuideline, createRound, createStatement, createUser } from "./factories";

let counter = 0;

/** A guideline with a secretary, `panelSize` panelists and the given statements, ready for rounds. */
export async function guidelineWithPanel(
  db: DB,
  input: { panelSize: number; statements: string[]; rule?: unknown; slug?: string },
) {
  const n = ++counter;
  const secretary = await createUser(db, { email: `secretary${n}@example.org`, name: `Secretary ${n}` });
  const guideline = createGuideline(db, {
    slug: input.slug ?? `guideline-${n}`,
    title: `Guideline ${n}`,
    ...(input.rule ? { rule: input.rule } : {}),
  });
  addMember(db, { guidelineId: guideline.id, userId: secretary.id, role: "secretary" });
  const panel = [];
  for (let i = 0; i < input.panelSize; i++) {
    const user = await createUser(db, { email: `p${n}-${i}@example.org`, name: `Panelist ${i}` });
    panel.push(
      addMember(db, {
        guidelineId: guideline.id,
        userId: user.id,
        role: "panelist",
        discipline: i % 2 ? "Pathology" : "Radiology",
      }),
    );
  }
  const statements = input.statements.map((text, i) =>
    createStatement(db, { guidelineId: guideline.id, position: i + 1, section: `Section ${i + 1}`, text }),
  );
  return { guideline, secretary, panel, statements };
}

/** Opens a round over the given revisions and casts ballots: `votes[item][member]` (null = no response). */
export function openRoundWithBallots(
  db: DB,
  input: { guidelineId: string; number: number; revisionIds: string[]; panel: { id: string }[]; votes: (Choice | null)[][] },
) {
  const { round, items } = createRound(db, {
    guidelineId: input.guidelineId,
    number: input.number,
    revisionIds: input.revisionIds,
    status: "open",
  });
  input.votes.forEach((choices, i) =>
    choices.forEach((choice, m) => {
      if (choice) castBallot(db, { roundItemId: items[i]!.id, membershipId: input.panel[m]!.id, choice });
    }),
  );
  return { round, items };
}

/** `agree`, `disagree`, `abstain` counts spread over a panel, the rest not responding. */
export function votes(size: number, agree: number, disagree = 0, abstain = 0): (Choice | null)[] {
  return Array.from({ length: size }, (_, i) =>
    i < agree ? "agree" : i < agree + disagree ? "disagree" : i < agree + disagree + abstain ? "abstain" : null,
  );
}
