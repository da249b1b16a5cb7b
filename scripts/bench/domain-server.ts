/**
 * The app's own ballot code without the web framework, to split the ballot benchmark and to try
 * group commit without touching the app: node:http in front of `requireMember` (session and
 * permission), `parseBallotForm` (zod) and `castBallots` (upsert and audit), answering like the
 * vote action.
 *
 *   NODE_ENV=production DATABASE_PATH=FILE node --import tsx scripts/bench/domain-server.ts each|group
 *
 * `each` commits every ballot in its own transaction. `group` saves them as the action does,
 * with the app's group commit (group-commit.server.ts): the ballots that arrive in one turn of
 * the event loop in one immediate transaction, each in its own savepoint, each answered only
 * after that commit.
 * It runs the sources (through tsx), where the real action runs build/index.js.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { getDb } from "@db/client.server";
import { parseBallotForm } from "~/server/ballot-form";
import { AGREEMENT } from "~/consensus/scale";
import { castBallots } from "~/server/ballots.server";
import { Refusal } from "~/server/errors.server";
import { commitTogether } from "~/server/group-commit.server";
import { requireMember } from "~/server/permissions.server";

type Outcome = { status: number; body: unknown };
type Job = { cast: () => { saved: number }; answer: (outcome: Outcome) => void };

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => resolve(body));
    req.on("error", reject);
  });
}

function send(res: ServerResponse, { status, body }: Outcome) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json; charset=utf-8", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

/** What the vote action answers for a cast, or for the Refusal it threw. */
function outcomeOf(cast: () => { saved: number }): Outcome {
  try {
    return { status: 200, body: { ok: true, saved: cast().saved } };
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    return refused(error);
  }
}

const refused = (error: Refusal): Outcome => ({
  status: error.status,
  body: { ok: false, formErrors: [error.message], fieldErrors: {} },
});

function commitEach(job: Job) {
  job.answer(outcomeOf(job.cast));
}

function commitGroup(job: Job) {
  commitTogether(getDb(), job.cast).then(
    (cast) => job.answer({ status: 200, body: { ok: true, saved: cast.saved } }),
    (error: unknown) => job.answer(error instanceof Refusal ? refused(error) : { status: 500, body: { error: String(error) } }),
  );
}

async function handle(req: IncomingMessage, res: ServerResponse, commit: (job: Job) => void) {
  const request = new Request(`http://${req.headers.host}${req.url}`, {
    method: "POST",
    headers: { Cookie: req.headers.cookie ?? "", "Content-Type": req.headers["content-type"] ?? "" },
    body: await readBody(req),
  });
  try {
    const { guideline, membership } = await requireMember(request, "imt-consensus", "panelist");
    // The bench's guideline votes agree / disagree / abstain.
    const parsed = parseBallotForm(await request.formData(), AGREEMENT);
    if (!parsed.ok) return send(res, { status: 400, body: parsed });
    commit({
      cast: () => castBallots(getDb(), { guideline, membership, ballots: parsed.ballots }),
      answer: (outcome) => send(res, outcome),
    });
  } catch (thrown) {
    if (!(thrown instanceof Response)) throw thrown;
    send(res, { status: thrown.status, body: await thrown.text() });
  }
}

const mode = process.argv[2] === "group" ? "group" : "each";
const commit = mode === "group" ? commitGroup : commitEach;
getDb();
const server = createServer((req, res) => {
  handle(req, res, commit).catch((error: unknown) => send(res, { status: 500, body: { error: String(error) } }));
});
server.listen(Number(process.env.PORT), "127.0.0.1", () => console.log(`domain ballot server (${mode}) listening`));
process.once("SIGTERM", () => server.close(() => process.exit(0)));
