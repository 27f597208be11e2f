import { describe, expect, test } from "vitest";
import { strategicEquivalent } from "./hint.js";
import { jsonToYaml } from "./json-yaml.js";
import {
  applyJsonPatch,
  countDocuments,
  JsonPatchApplyError,
  MultiDocumentJsonPatchError,
} from "./json6902.js";

const config = `version: v1alpha1
machine:
    type: worker
    certSANs:
        - a
        - b
    network:
        hostname: node-1
cluster:
    token: t
`;

describe("RFC 6902 on a single-document config", () => {
  test("ops apply and the result is sorted two-space YAML with unindented lists", () => {
    const out = applyJsonPatch(config, [
      { op: "add", path: "/machine/certSANs/-", value: "c" },
      { op: "replace", path: "/machine/network/hostname", value: "node-2" },
      { op: "remove", path: "/cluster/token" },
      { op: "copy", from: "/machine/type", path: "/machine/copied" },
      { op: "test", path: "/version", value: "v1alpha1" },
    ]);
    expect(out).toBe(
      [
        "cluster: {}",
        "machine:",
        "  certSANs:",
        "  - a",
        "  - b",
        "  - c",
        "  copied: worker",
        "  network:",
        "    hostname: node-2",
        "  type: worker",
        "version: v1alpha1",
        "",
      ].join("\n"),
    );
  });

  test("negative indices count from the end", () => {
    const out = applyJsonPatch(config, [{ op: "remove", path: "/machine/certSANs/-1" }]);
    expect(out).toContain("certSANs:\n  - a\n  network");
    expect(() => applyJsonPatch(config, [{ op: "remove", path: "/machine/certSANs/-3" }])).toThrow(
      "Unable to access invalid index: -3: invalid index referenced",
    );
  });

  test("Talos's messages for missing paths and failed tests", () => {
    const fail = (op: Parameters<typeof applyJsonPatch>[1][number]) => {
      try {
        applyJsonPatch(config, [op]);
      } catch (err) {
        expect(err).toBeInstanceOf(JsonPatchApplyError);
        return (err as Error).message;
      }
      return "";
    };
    const prefix = "failure applying rfc6902 patches to talos machine config: ";
    expect(fail({ op: "add", path: "/machine/install/disk", value: "/dev/sda" })).toBe(
      `${prefix}add operation does not apply: doc is missing path: "/machine/install/disk": missing value`,
    );
    expect(fail({ op: "remove", path: "/machine/install" })).toBe(
      `${prefix}remove operation does not apply: doc is missing path: "/machine/install": missing value`,
    );
    expect(fail({ op: "replace", path: "/machine/nope", value: 1 })).toBe(
      `${prefix}replace operation does not apply: doc is missing key: /machine/nope: missing value`,
    );
    expect(fail({ op: "move", from: "/machine/nope", path: "/x" })).toBe(
      `${prefix}move operation does not apply: doc is missing from path: /machine/nope: missing value`,
    );
    expect(fail({ op: "test", path: "/machine/type", value: "controlplane" })).toBe(
      `${prefix}testing value /machine/type failed: test failed`,
    );
  });

  test("more than one document is refused", () => {
    const multi = `${config}---\napiVersion: v1alpha1\nkind: HostnameConfig\nauto: stable\n`;
    expect(countDocuments(multi)).toBe(2);
    expect(countDocuments(`${config}---\n`)).toBe(1);
    expect(() => applyJsonPatch(multi, [])).toThrow(MultiDocumentJsonPatchError);
    expect(() => applyJsonPatch(multi, [])).toThrow(
      "JSON6902 patches are not supported for multi-document machine configuration",
    );
  });
});

describe("the strategic equivalent of a JSON patch", () => {
  test("adds, replaces, appends and removes on the v1alpha1 document", () => {
    const hint = strategicEquivalent([
      { op: "add", path: "/machine/install", value: { disk: "/dev/sdb" } },
      { op: "replace", path: "/machine/network/hostname", value: "n" },
      { op: "add", path: "/machine/certSANs/-", value: "10.0.0.1" },
      { op: "remove", path: "/cluster/discovery" },
    ]);
    expect(hint.untranslatable).toEqual([]);
    expect(hint.patch).toBe(
      [
        "machine:",
        "    install:",
        "        disk: /dev/sdb",
        "    network:",
        '        hostname: "n"',
        "    certSANs:",
        "        - 10.0.0.1",
        "cluster:",
        "    discovery:",
        "        $patch: delete",
        "",
      ].join("\n"),
    );
  });

  test("what has no equivalent is said", () => {
    const hint = strategicEquivalent([
      { op: "replace", path: "/machine/certSANs/0", value: "x" },
      { op: "move", from: "/a", path: "/machine/b" },
      { op: "add", path: "/kind", value: "x" },
    ]);
    expect(hint.patch).toBeUndefined();
    expect(hint.untranslatable).toHaveLength(3);
    expect(hint.untranslatable[0]).toContain("cannot address a list item by position");
    expect(hint.untranslatable[2]).toContain("no field of the v1alpha1 document");
  });
});

test("jsonToYaml quotes what YAML would misread, as yaml.v2 does", () => {
  // Text that reads as another type is double-quoted; text that only cannot stand plain is
  // single-quoted.
  expect(jsonToYaml({ a: "yes", b: "123", c: "", d: "on", e: null, f: "x: y", g: "n" })).toBe(
    'a: "yes"\nb: "123"\nc: ""\nd: "on"\ne: null\nf: \'x: y\'\ng: "n"\n',
  );
});
