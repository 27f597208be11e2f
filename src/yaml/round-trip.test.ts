// A property test of the writer: every string, wherever it sits in a document, reads back as
// itself. The strings are built from the pieces that make YAML text ambiguous.
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { encodeYaml } from "./encode.js";
import { generateString, seeded } from "./testkit.js";

/** The places a string can sit in a document, as data holding `s` everywhere. */
function placed(s: string): unknown {
  return {
    top: s,
    nested: { deeper: { value: s } },
    list: [s, [s, [s]]],
    items: [{ name: "x", content: s, more: { inner: s } }, { [s || "empty"]: s }],
    [s || "key"]: [s],
  };
}

describe("the YAML writer round-trips every string", () => {
  const layouts = [
    { dialect: "yaml.v3" as const, indent: 4 },
    { dialect: "yaml.v3" as const, indent: 2 },
    { dialect: "yaml.v2" as const, indent: 2 },
    { dialect: "yaml.v2" as const, indent: 4 },
  ];
  for (const layout of layouts) {
    it(`reads back generated strings in every position (${layout.dialect}, indent ${layout.indent})`, () => {
      const rand = seeded(layout.indent * 31 + layout.dialect.length);
      for (let round = 0; round < 400; round++) {
        const s = generateString(rand);
        const data = placed(s);
        const text = encodeYaml(data, layout);
        let back: unknown;
        try {
          back = parse(text, { uniqueKeys: false });
        } catch (err) {
          throw new Error(`${JSON.stringify(s)} wrote text that does not parse: ${String(err)}\n${text}`);
        }
        expect(back, `${JSON.stringify(s)} as written:\n${text}`).toEqual(data);
      }
    });
  }

  it("reads back the strings that once broke it", () => {
    for (const s of ["\nfoo\n---\nbar\n", "\n\na\n", " x\ny", "\n", "\n\n", " \n", "\t\nx"]) {
      const data = placed(s);
      expect(parse(encodeYaml(data)), JSON.stringify(s)).toEqual(data);
    }
  });
});
