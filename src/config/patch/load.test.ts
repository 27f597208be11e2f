import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, onTestFinished, test } from "vitest";
import { selectorString } from "./extract.js";
import { loadPatches, PatchLoadError, parsePatch, patchSource } from "./load.js";
import type { DeleteSelector, StrategicPatch } from "./types.js";

describe("where a -p value's text comes from", () => {
  test("@file, bare file names, inline text", () => {
    expect(patchSource("@p.yaml", 1)).toEqual({ kind: "file", name: "p.yaml" });
    expect(patchSource("dir/p.yaml", 2)).toEqual({ kind: "file", name: "dir/p.yaml" });
    expect(patchSource("machine: {}", 3)).toEqual({ kind: "inline", name: "inline patch #3" });
    expect(patchSource("a:\n  b: c", 1).kind).toBe("inline");
    expect(patchSource('[{"op":"remove","path":"/a"}]', 1).kind).toBe("inline");
    expect(patchSource('{"machine":{}}', 1).kind).toBe("inline");
  });

  test("files are read relative to cwd; a missing one is named", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "patch-load-"));
    onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
    fs.writeFileSync(path.join(dir, "p.yaml"), "machine:\n  network:\n    hostname: a\n");
    const [p] = loadPatches(["@p.yaml"], { cwd: dir });
    expect(p?.type).toBe("strategic");
    expect(p?.source).toBe("p.yaml");
    expect(() => loadPatches(["missing.yaml"], { cwd: dir })).toThrow(
      'failed to read patch file "missing.yaml": no such file or directory',
    );
    expect(() => loadPatches(["@"], { cwd: dir })).toThrow(PatchLoadError);
  });
});

describe("classification", () => {
  test("a config fragment is a strategic patch", () => {
    const p = parsePatch("machine:\n  network:\n    hostname: a\n", "x") as StrategicPatch;
    expect(p.type).toBe("strategic");
    expect(p.entries).toHaveLength(1);
    expect(p.entries[0]).toMatchObject({ type: "merge", kind: "v1alpha1", apiVersion: "" });
  });

  test("multi-document fragments keep their order and identities", () => {
    const p = parsePatch(
      "apiVersion: v1alpha1\nkind: UserVolumeConfig\nname: data\nprovisioning:\n  minSize: 1GB\n---\nmachine:\n  certSANs: [a]\n",
      "x",
    ) as StrategicPatch;
    expect(p.entries.map((e) => [e.kind, e.name])).toEqual([
      ["UserVolumeConfig", "data"],
      ["v1alpha1", undefined],
    ]);
  });

  test("a JSON array of operations is a JSON patch", () => {
    const p = parsePatch('[{"op": "add", "path": "/machine/x", "value": 1}]', "x");
    expect(p).toEqual({
      type: "json6902",
      source: "x",
      operations: [{ op: "add", path: "/machine/x", value: 1 }],
    });
  });

  test("a YAML list of operations is a JSON patch", () => {
    const p = parsePatch("- op: remove\n  path: /machine/network\n", "x");
    expect(p.type).toBe("json6902");
  });

  test("empty text is an empty JSON patch", () => {
    expect(parsePatch("", "x")).toEqual({ type: "json6902", source: "x", operations: [] });
  });

  test("unknown keys make it neither; the message names the patch and both reasons", () => {
    let message = "";
    try {
      parsePatch("machine:\n  networkk: {}\n", "inline patch #2");
    } catch (err) {
      expect(err).toBeInstanceOf(PatchLoadError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/^failed to load inline patch #2: not a strategic merge patch: .*networkk/);
    expect(message).toContain("; not a JSON patch: ");
    expect(message).not.toContain("\n");
  });

  test("text starting with [ reports the JSON reason first", () => {
    expect(() => parsePatch('[{"op": "jump", "path": "/a"}]', "p.json")).toThrow(
      /^failed to load patch "p\.json": not a JSON patch: operation #1: unknown op "jump"; not a strategic merge patch: /,
    );
  });

  test("a list of non-operations is not a JSON patch", () => {
    expect(() => parsePatch("- machine: {}\n", "x")).toThrow(/not a JSON patch: operation #1 has no "op"/);
  });

  test("consecutive JSON patches are joined; a strategic one in between splits them", () => {
    const op = (n: number) => `[{"op": "add", "path": "/machine/n${n}", "value": ${n}}]`;
    const loaded = loadPatches([op(1), op(2), "machine:\n  certSANs: [a]", op(3)], { cwd: "/" });
    expect(loaded.map((p) => p.type)).toEqual(["json6902", "strategic", "json6902"]);
    expect(loaded[0]?.type === "json6902" && loaded[0].operations).toHaveLength(2);
  });
});

describe("$patch: delete extraction", () => {
  const deletes = (text: string) =>
    (parsePatch(text, "x") as StrategicPatch).entries.filter((e): e is DeleteSelector => e.type === "delete");

  test("field, map key, list item and whole document", () => {
    const found = deletes(
      [
        "machine:",
        "  network:",
        "    hostname:",
        "      $patch: delete",
        "    interfaces:",
        "      - interface: eth1",
        "        $patch: delete",
        "  nodeLabels:",
        "    role: {$patch: delete}",
        "---",
        "apiVersion: v1alpha1",
        "kind: UserVolumeConfig",
        "name: data",
        "$patch: delete",
      ].join("\n"),
    );
    expect(found.map(selectorString)).toEqual([
      "{path:machine.network.hostname, kind:v1alpha1, idx:0}",
      "{path:machine.network.interfaces.[0], kind:v1alpha1, key:interface, value:eth1, idx:0}",
      "{path:machine.nodeLabels.role, kind:v1alpha1, idx:0}",
      "{apiVersion:v1alpha1, kind:UserVolumeConfig, idx:1, name:data}",
    ]);
  });

  test("what is left after the deletes is merged; a delete-only document merges nothing", () => {
    const p = parsePatch("machine:\n  network:\n    hostname: {$patch: delete}\n", "x") as StrategicPatch;
    expect(p.entries.map((e) => e.type)).toEqual(["delete"]);
    const q = parsePatch(
      "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        $patch: delete\n      - interface: eth0\n        dhcp: true\n",
      "x",
    ) as StrategicPatch;
    expect(q.entries.map((e) => e.type)).toEqual(["delete", "merge"]);
    expect(q.entries[1]).toMatchObject({
      data: { machine: { network: { interfaces: [{ interface: "eth0", dhcp: true }] } } },
    });
  });

  test("a legacy remainder with only version is dropped", () => {
    const p = parsePatch(
      "version: v1alpha1\nmachine:\n  certSANs: {$patch: delete}\n",
      "x",
    ) as StrategicPatch;
    expect(p.entries.map((e) => e.type)).toEqual(["delete"]);
  });

  test("Talos's messages for malformed deletes", () => {
    expect(() => parsePatch("machine:\n  $patch: delete\n", "x")).not.toThrow();
    expect(() => parsePatch("$patch: delete\nmachine: {}\n", "x")).toThrow(
      "error processing patch delete statements at line 1: missing apiVersion in document for which $patch: delete is used",
    );
    expect(() => parsePatch("kind: HostnameConfig\nauto:\n  $patch: delete\n", "x")).toThrow(
      "kind and apiVersion must be both set for path auto",
    );
    expect(() =>
      parsePatch(
        "machine:\n  network:\n    interfaces:\n      - interface: eth0\n        mtu:\n          $patch: delete\n",
        "x",
      ),
    ).toThrow("cannot delete an inner key in 'machine.network.interfaces.[0].mtu'");
    expect(() => parsePatch("machine:\n  certSANs:\n    - $patch: delete\n", "x")).toThrow(
      "no key:val found in sequence node for path machine.certSANs.[0]",
    );
  });
});
