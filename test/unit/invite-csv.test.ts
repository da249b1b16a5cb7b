import { describe, expect, test } from "vitest";
import { CsvError, MAX_INVITE_ROWS, parseCsv, readInviteCsv, type InviteRow } from "~/server/invite-csv";

describe("parseCsv (RFC 4180)", () => {
  test("fields and records, with or without a final line break", () => {
    expect(parseCsv("a,b,c\n1,2,3\n")).toEqual([
      ["a", "b", "c"],
      ["1", "2", "3"],
    ]);
    expect(parseCsv("a,b,c\n1,2,3")).toEqual([
      ["a", "b", "c"],
      ["1", "2", "3"],
    ]);
    expect(parseCsv("")).toEqual([]);
  });

  test("CRLF, LF and a lone CR all end a record", () => {
    expect(parseCsv("a,b\r\n1,2\r\n3,4\r5,6\n")).toEqual([
      ["a", "b"],
      ["1", "2"],
      ["3", "4"],
      ["5", "6"],
    ]);
  });

  test("quoted fields hold commas, line breaks and doubled quotes", () => {
    expect(parseCsv('name,affiliation\r\n"Lovelace, Ada","Lyon\r\nUniversity ""Hospital"""\r\n')).toEqual([
      ["name", "affiliation"],
      ["Lovelace, Ada", 'Lyon\r\nUniversity "Hospital"'],
    ]);
    expect(parseCsv('"",""\n')).toEqual([["", ""]]);
    expect(parseCsv('a,""')).toEqual([["a", ""]]);
  });

  test("empty fields, a trailing comma and a blank line keep their places", () => {
    expect(parseCsv("a,,c,\n\n1,2,3,4")).toEqual([["a", "", "c", ""], [""], ["1", "2", "3", "4"]]);
  });

  test("a UTF-8 byte order mark is dropped; other characters are kept", () => {
    expect(parseCsv("\uFEFFname,email\nZoë Ñúñez,zoe@example.org")).toEqual([
      ["name", "email"],
      ["Zoë Ñúñez", "zoe@example.org"],
    ]);
  });

  test("spaces around a quoted field are dropped; inside quotes they are kept", () => {
    expect(parseCsv('Ada, "Lyon, France" ,x')).toEqual([["Ada", "Lyon, France", "x"]]);
    expect(parseCsv('" padded "')).toEqual([[" padded "]]);
  });

  test("malformed quoting is refused with its line", () => {
    expect(() => parseCsv('a,b\n1,"open\nstill open')).toThrow(
      new CsvError("Line 2: a double quote opens a field that never closes."),
    );
    expect(() => parseCsv('a,b\n1,x"y')).toThrow(/^Line 2: a double quote inside a field that does not start with one/);
    expect(() => parseCsv('a\n"quoted"tail')).toThrow(/^Line 2: text after a closing double quote/);
    // Line breaks inside a quoted field count towards later lines.
    expect(() => parseCsv('"a\nb",c\nd"')).toThrow(/^Line 3:/);
  });
});

describe("readInviteCsv", () => {
  const rows = (text: string): InviteRow[] => {
    const read = readInviteCsv(text);
    if (!read.ok) throw new Error(read.error);
    return read.rows;
  };
  const refusal = (text: string) => {
    const read = readInviteCsv(text);
    return read.ok ? null : read.error;
  };

  test("columns in any order and case, with the role defaulting to panelist", () => {
    expect(
      rows(
        'E-mail,Group,NAME,Affiliation,Discipline\r\nADA@Example.org,Clinicians,Ada  Lovelace,"Lyon, France",Pathology\r\nbob@example.org,,Bob,,\r\n',
      ),
    ).toEqual([
      {
        row: 2,
        name: "Ada Lovelace",
        email: "ada@example.org",
        role: "panelist",
        discipline: "Pathology",
        affiliation: "Lyon, France",
        group: "Clinicians",
        problems: [],
      },
      {
        row: 3,
        name: "Bob",
        email: "bob@example.org",
        role: "panelist",
        discipline: null,
        affiliation: null,
        group: null,
        problems: [],
      },
    ]);
  });

  test("a role column names panelist, observer or secretary in any case", () => {
    const read = rows(
      "name,email,role\nA,a@example.org,Observer\nB,b@example.org,SECRETARY\nC,c@example.org,\nD,d@example.org,admin",
    );
    expect(read.map((r) => [r.role, r.problems])).toEqual([
      ["observer", []],
      ["secretary", []],
      ["panelist", []],
      [null, ["Unknown role “admin”: use panelist, observer or secretary."]],
    ]);
  });

  test("each row lists every problem found without the database", () => {
    const read = rows(
      [
        "name,email,discipline,group,role",
        ",not-an-address,,,",
        "Dup One,dup@example.org,,,",
        "Dup Two,DUP@example.org,,,",
        `Long,long@example.org,${"x".repeat(101)},,`,
        "Watcher,watcher@example.org,,Patients,observer",
        "Empty mail,,,,",
        "Extra,extra@example.org,,,,surplus",
      ].join("\n"),
    );
    expect(read.map((r) => [r.row, r.problems])).toEqual([
      [2, ["The name is missing.", "“not-an-address” is not a valid e-mail address."]],
      [3, []],
      [4, ["The same e-mail address as row 3."]],
      [5, ["A discipline has at most 100 characters."]],
      [6, ["Only panelists belong to a stakeholder group: leave the group empty for an observer."]],
      [7, ["The e-mail address is missing."]],
      [8, ["The row has 6 fields; the header names 5."]],
    ]);
  });

  test("blank rows are skipped and row numbers stay the spreadsheet's", () => {
    expect(rows('\nname,email\n\n,\nA,a@example.org\n"B\nC",b@example.org\nD,d@example.org').map((r) => [r.row, r.name])).toEqual(
      [
        [5, "A"],
        [6, "B C"],
        [7, "D"],
      ],
    );
  });

  test("a column without a name in the header may only be empty", () => {
    expect(rows("name,,email\nA,,a@example.org\nB,note,b@example.org").map((r) => r.problems)).toEqual([
      [],
      ["Column 2 has a value but no name in the header row."],
    ]);
  });

  test("no usable header, no rows, too many rows or broken quoting refuse the whole text", () => {
    expect(refusal("")).toBe(
      "The CSV is empty: its first row names the columns (name, email, discipline, affiliation, group, role).",
    );
    expect(refusal("Ada,ada@example.org")).toBe(
      "The first row must name the columns (name, email, discipline, affiliation, group, role): column 1, “Ada”, is not one of them.",
    );
    expect(refusal("name,discipline\nAda,Pathology")).toBe("The header row has no email column.");
    expect(refusal("email,E-mail\na@example.org,a@example.org")).toBe("The header row names the email column twice.");
    expect(refusal("name,email\n\n")).toBe("The CSV has a header row but no one to invite.");
    const many = ["name,email", ...Array.from({ length: MAX_INVITE_ROWS + 1 }, (_, i) => `P${i},p${i}@example.org`)].join("\n");
    expect(refusal(many)).toBe(`The CSV has ${MAX_INVITE_ROWS + 1} rows: invite at most ${MAX_INVITE_ROWS} at a time.`);
    expect(refusal('name,email\n"Ada,ada@example.org')).toBe("Line 2: a double quote opens a field that never closes.");
  });
});
