import { describe, expect, it } from "vitest";
import { parseOutputFormat } from "./format.js";
import { renderTable } from "./table.js";
import { writeRecords, writeValue } from "./write.js";

function capture(): { out: { write(c: string | Uint8Array): boolean }; text: () => string } {
  let text = "";
  return {
    out: {
      write: (c) => {
        text += String(c);
        return true;
      },
    },
    text: () => text,
  };
}

describe("renderTable", () => {
  it("aligns columns with three spaces and no trailing blanks", () => {
    expect(
      renderTable(
        ["NODE", "ID", "STATE"],
        [
          ["10.5.0.2", "apid", "Running"],
          ["10.5.0.10", "kubelet", ""],
        ],
      ),
    ).toBe("NODE        ID        STATE\n10.5.0.2    apid      Running\n10.5.0.10   kubelet\n");
  });
});

describe("parseOutputFormat", () => {
  it("accepts the plain formats and jsonpath", () => {
    expect(parseOutputFormat("json").kind).toBe("json");
    expect(parseOutputFormat("yaml").kind).toBe("yaml");
    const jp = parseOutputFormat("jsonpath={.a}");
    expect(jp.kind).toBe("jsonpath");
  });

  it("names the flag and the allowed formats for an unknown one", () => {
    expect(() => parseOutputFormat("xml", ["table", "json"])).toThrow(
      '--output: unknown output format "xml" (use one of: table, json)',
    );
  });

  it("asks for an expression after jsonpath", () => {
    expect(() => parseOutputFormat("jsonpath")).toThrow("--output: jsonpath needs an expression");
  });
});

describe("writeRecords", () => {
  const records = [
    { node: "10.5.0.2", id: "apid" },
    { node: "10.5.0.3", id: "etcd" },
  ];
  const columns = [
    { header: "NODE", value: (r: { node: string }) => r.node },
    { header: "ID", value: (r: { id: string }) => r.id },
  ];

  it("writes a table", () => {
    const c = capture();
    writeRecords(c.out, records, { format: { kind: "table" }, columns });
    expect(c.text()).toBe("NODE       ID\n10.5.0.2   apid\n10.5.0.3   etcd\n");
  });

  it("writes JSON as one array, or NDJSON", () => {
    const c = capture();
    writeRecords(c.out, records, { format: { kind: "json" } });
    expect(JSON.parse(c.text())).toEqual(records);
    const d = capture();
    writeRecords(d.out, records, { format: { kind: "json" }, jsonLines: true });
    expect(
      d
        .text()
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l)),
    ).toEqual(records);
  });

  it("writes YAML documents separated by ---", () => {
    const c = capture();
    writeRecords(c.out, records, { format: { kind: "yaml" } });
    expect(c.text()).toBe("node: 10.5.0.2\nid: apid\n---\nnode: 10.5.0.3\nid: etcd\n");
  });

  it("writes one jsonpath line per record", () => {
    const c = capture();
    writeRecords(c.out, records, { format: parseOutputFormat("jsonpath={.id}") });
    expect(c.text()).toBe("apid\netcd\n");
  });
});

describe("writeValue", () => {
  it("indents YAML with four spaces", () => {
    const c = capture();
    writeValue(c.out, { a: { b: [1, 2] } }, { kind: "yaml" });
    expect(c.text()).toBe("a:\n    b:\n        - 1\n        - 2\n");
  });
});
