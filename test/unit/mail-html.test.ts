import { describe, expect, test } from "vitest";
import { mailHtml } from "~/server/mail-html";

const body = (html: string) => /<body>\n([\s\S]*)\n<\/body>/.exec(html)![1];

describe("a mail's HTML part", () => {
  test("paragraphs as <p>, lines as <br>, addresses as links without the sentence's punctuation", () => {
    const text =
      "Dear Ada,\n\nRound 2 of “IMT” is open.\nIt closes on 12 March 2026.\n\nVote here: https://delphi.example/g/imt/vote?x=1&y=2.\n";
    expect(body(mailHtml(text))).toBe(
      "<p>Dear Ada,</p>\n" +
        "<p>Round 2 of “IMT” is open.<br>\nIt closes on 12 March 2026.</p>\n" +
        '<p>Vote here: <a href="https://delphi.example/g/imt/vote?x=1&amp;y=2">https://delphi.example/g/imt/vote?x=1&amp;y=2</a>.</p>',
    );
  });

  test("everything else is escaped, so a title or a name cannot add markup", () => {
    const html = mailHtml(`Guideline "<script>alert('x')</script>" & <b>co</b>\nhttps://a.example/"onmouseover="x`);
    expect(body(html)).toBe(
      "<p>Guideline &quot;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&quot; &amp; &lt;b&gt;co&lt;/b&gt;<br>\n" +
        '<a href="https://a.example/">https://a.example/</a>&quot;onmouseover=&quot;x</p>',
    );
  });

  test("a Chinese sentence ends the address at its own punctuation", () => {
    expect(body(mailHtml("在此投票：https://delphi.example/g/imt/vote。"))).toBe(
      '<p>在此投票：<a href="https://delphi.example/g/imt/vote">https://delphi.example/g/imt/vote</a>。</p>',
    );
  });
});
