/**
 * Inviting many people at once from a spreadsheet saved as CSV: an RFC 4180 parser and the
 * checks each row needs without the database. Pure (no database, no Remix): the panel's server
 * module adds what needs the database (already a member, already invited), and the page may show
 * the columns it lists.
 */
import { z } from "zod";
import { ROLES, type Role } from "~/consensus/values";
import { msg, type Translate } from "~/i18n";
import { english } from "~/locales/english";

/** The most rows one upload may invite: a panel is tens of people, rarely hundreds. */
export const MAX_INVITE_ROWS = 500;

/** The columns a header row may name, with the spellings spreadsheets commonly use. */
export const INVITE_COLUMNS = ["name", "email", "discipline", "affiliation", "group", "role"] as const;
type Column = (typeof INVITE_COLUMNS)[number];
const REQUIRED: readonly Column[] = ["name", "email"];
const ALIASES: Record<string, Column> = {
  name: "name",
  "full name": "name",
  email: "email",
  "e-mail": "email",
  "email address": "email",
  "e-mail address": "email",
  discipline: "discipline",
  affiliation: "affiliation",
  group: "group",
  "stakeholder group": "group",
  role: "role",
};
/** Each free column's longest value, with the problem's message (a translation key taking `max`). */
const LIMITS: Record<Exclude<Column, "email" | "role">, [message: string, max: number]> = {
  name: [msg("A name has at most {{max}} characters."), 200],
  discipline: [msg("A discipline has at most {{max}} characters."), 100],
  affiliation: [msg("An affiliation has at most {{max}} characters."), 200],
  group: [msg("A stakeholder group has at most {{max}} characters."), 100],
};

type Values = Record<string, string | number>;

/**
 * Why a text cannot be read as CSV at all (as opposed to a row that cannot be invited): a
 * translation key and its values; `message` is the English text, `text(t)` the text in `t`'s words.
 */
export class CsvError extends Error {
  // Private, so an error still equals another with the same message.
  readonly #key: string;
  readonly #values: Values;
  constructor(key: string, values: Values = {}) {
    super(english(key, values));
    this.#key = key;
    this.#values = values;
    this.name = "CsvError";
  }

  text(t: Translate): string {
    return t(this.#key, this.#values);
  }
}

/**
 * The records of a CSV text (RFC 4180): fields separated by commas, records by CRLF, LF or CR;
 * a field in double quotes may hold commas, line breaks and doubled quotes (""). A UTF-8 byte
 * order mark is dropped; the final line break is optional. Spaces around a quoted field, which
 * hand-written CSV often has ("Ada, "Lyon, France""), are allowed and dropped. A blank line is a
 * record with one empty field, so record numbers stay those of the spreadsheet's rows.
 */
export function parseCsv(text: string): string[][] {
  const input = text.startsWith("\uFEFF") ? text.slice(1) : text;
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  /** Where the current field stands: plain text, inside quotes, or after its closing quote. */
  let state: "plain" | "quoted" | "closed" = "plain";
  let line = 1;
  let openedOn = 1;
  const endField = () => {
    record.push(field);
    field = "";
    state = "plain";
  };
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    if (state === "quoted") {
      if (c === '"' && input[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        state = "closed";
      } else {
        if (c === "\n" || (c === "\r" && input[i + 1] !== "\n")) line++;
        field += c;
      }
    } else if (c === ",") {
      endField();
    } else if (c === "\r" || c === "\n") {
      endField();
      records.push(record);
      record = [];
      if (c === "\r" && input[i + 1] === "\n") i++;
      line++;
    } else if (state === "closed") {
      if (c !== " " && c !== "\t") {
        throw new CsvError(
          msg(
            'Line {{line}}: text after a closing double quote. Put the whole field in quotes, and double any quote inside it ("").',
          ),
          { line },
        );
      }
    } else if (c === '"') {
      if (field.trim() !== "") {
        throw new CsvError(
          msg(
            'Line {{line}}: a double quote inside a field that does not start with one. Put the whole field in quotes, and double any quote inside it ("").',
          ),
          { line },
        );
      }
      field = "";
      state = "quoted";
      openedOn = line;
    } else {
      field += c;
    }
  }
  if (state === "quoted") {
    throw new CsvError(msg("Line {{line}}: a double quote opens a field that never closes."), { line: openedOn });
  }
  if (field !== "" || state === "closed" || record.length > 0) {
    endField();
    records.push(record);
  }
  return records;
}

/** One person to invite, as the file gives them, with every reason they cannot be invited (none: they can). */
export type InviteRow = {
  /** The row's number in the spreadsheet: the header is row 1. */
  row: number;
  name: string;
  email: string;
  /** Panelist when the file leaves it empty; null when it names no role (one of the row's problems). */
  role: Role | null;
  discipline: string | null;
  affiliation: string | null;
  group: string | null;
  problems: string[];
};

export type InviteCsv = { ok: true; rows: InviteRow[] } | { ok: false; error: string };

/** Runs of spaces and line breaks become one space: names and e-mails are one line. */
const oneLine = (value: string) => value.replace(/\s+/g, " ").trim();

const Email = z.email();

function columnsOf(header: string[], t: Translate): { columns: (Column | null)[] } | { error: string } {
  const columns: (Column | null)[] = [];
  for (const [index, cell] of header.entries()) {
    const name = oneLine(cell).toLowerCase();
    if (name === "") {
      columns.push(null);
      continue;
    }
    const column = ALIASES[name];
    if (!column) {
      return {
        error: t("The first row must name the columns ({{columns}}): column {{number}}, “{{name}}”, is not one of them.", {
          columns: INVITE_COLUMNS.join(", "),
          number: index + 1,
          name: oneLine(cell),
        }),
      };
    }
    if (columns.includes(column)) return { error: t("The header row names the {{column}} column twice.", { column }) };
    columns.push(column);
  }
  const [first, second] = REQUIRED.filter((column) => !columns.includes(column));
  if (first && second) return { error: t("The header row has no {{first}} or {{second}} column.", { first, second }) };
  if (first) return { error: t("The header row has no {{column}} column.", { column: first }) };
  return { columns };
}

function readRow(row: number, cells: string[], columns: (Column | null)[], t: Translate): InviteRow {
  const problems: string[] = [];
  const value: Partial<Record<Column, string>> = {};
  for (const [index, cell] of cells.entries()) {
    const column = columns[index];
    if (column) value[column] = oneLine(cell);
    else if (oneLine(cell) === "") continue;
    else if (index < columns.length)
      problems.push(t("Column {{number}} has a value but no name in the header row.", { number: index + 1 }));
    else {
      problems.push(
        t("The row has {{fields}} fields; the header names {{columns}}.", { fields: cells.length, columns: columns.length }),
      );
      break;
    }
  }
  const text = (column: keyof typeof LIMITS) => {
    const [message, max] = LIMITS[column];
    const given = value[column] ?? "";
    if (given.length > max) problems.push(t(message, { max }));
    return given === "" ? null : given;
  };
  const name = text("name");
  if (name === null) problems.push(t("The name is missing."));
  const email = (value.email ?? "").toLowerCase();
  if (email === "") problems.push(t("The e-mail address is missing."));
  else if (!Email.safeParse(email).success)
    problems.push(t("“{{email}}” is not a valid e-mail address.", { email: value.email }));
  const roleText = (value.role ?? "").toLowerCase();
  const role = roleText === "" ? "panelist" : ROLES.find((r) => r === roleText);
  if (!role) problems.push(t("Unknown role “{{role}}”: use panelist, observer or secretary.", { role: value.role }));
  const group = text("group");
  if (group !== null && role && role !== "panelist") {
    problems.push(
      role === "observer"
        ? t("Only panelists belong to a stakeholder group: leave the group empty for an observer.")
        : t("Only panelists belong to a stakeholder group: leave the group empty for a secretary."),
    );
  }
  return {
    row,
    name: name ?? "",
    email,
    role: role ?? null,
    discipline: text("discipline"),
    affiliation: text("affiliation"),
    group,
    problems,
  };
}

/**
 * The people a CSV text invites: a header row naming the columns (any order, any case; name and
 * email required, discipline, affiliation, group and role optional, role panelist when empty),
 * then a row per person. Blank rows are skipped. Each row carries every problem found without the
 * database — a missing name, an invalid address or unknown role, a value too long, the same
 * address earlier in the file. A text that is not CSV, has no usable header or no one to
 * invite is refused whole. Every message is written with `t` (English unless a caller passes its own).
 */
export function readInviteCsv(text: string, t: Translate = english): InviteCsv {
  let records: string[][];
  try {
    records = parseCsv(text);
  } catch (error) {
    if (error instanceof CsvError) return { ok: false, error: error.text(t) };
    throw error;
  }
  const blank = (cells: string[]) => cells.every((cell) => cell.trim() === "");
  const headerAt = records.findIndex((cells) => !blank(cells));
  if (headerAt === -1)
    return {
      ok: false,
      error: t("The CSV is empty: its first row names the columns ({{columns}}).", { columns: INVITE_COLUMNS.join(", ") }),
    };
  const header = columnsOf(records[headerAt]!, t);
  if ("error" in header) return { ok: false, error: header.error };
  const people = records
    .map((cells, index) => ({ cells, row: index + 1 }))
    .slice(headerAt + 1)
    .filter(({ cells }) => !blank(cells));
  if (people.length === 0) return { ok: false, error: t("The CSV has a header row but no one to invite.") };
  if (people.length > MAX_INVITE_ROWS) {
    return {
      ok: false,
      error: t("The CSV has {{rows}} rows: invite at most {{max}} at a time.", { rows: people.length, max: MAX_INVITE_ROWS }),
    };
  }
  const firstRowOf = new Map<string, number>();
  const rows = people.map(({ cells, row }) => {
    const read = readRow(row, cells, header.columns, t);
    const first = read.email === "" ? undefined : firstRowOf.get(read.email);
    if (first !== undefined) read.problems.push(t("The same e-mail address as row {{row}}.", { row: first }));
    else if (read.email !== "") firstRowOf.set(read.email, row);
    return read;
  });
  return { ok: true, rows };
}
