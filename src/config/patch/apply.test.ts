import { describe, expect, it } from "vitest";
import { ConfigErrors, loadMachineConfig } from "../load/index.js";
import { applyPatches, loadPatches } from "./index.js";

const BASE = `version: v1alpha1
machine:
    type: worker
cluster:
    clusterName: c
`;

function patches(files: Record<string, string>) {
  return loadPatches(
    Object.keys(files).map((f) => `@${f}`),
    { cwd: "/patches", readFile: (file) => files[file.replace("/patches/", "")]! },
  );
}

describe("applyPatches", () => {
  it("patches in an inline manifest that starts with an empty line and holds --- lines, and the result loads", () => {
    const manifest = "\napiVersion: v1\nkind: Namespace\n---\napiVersion: v1\nkind: ConfigMap\n...\n";
    const patch = `cluster:\n    inlineManifests:\n        - name: ns\n          contents: |4\n${manifest
      .split("\n")
      .slice(0, -1)
      .map((l) => (l === "" ? "" : `              ${l}`))
      .join("\n")}\n`;
    const out = applyPatches({ text: BASE, file: "base.yaml" }, patches({ "p.yaml": patch }));
    const cluster = loadMachineConfig(out.text).documents[0]!.data.cluster as Record<string, unknown>;
    expect(cluster.inlineManifests).toEqual([{ name: "ns", contents: manifest }]);
  });

  it("names the patched result, not the input file, when the result does not load", () => {
    const link = "apiVersion: v1alpha1\nkind: DummyLinkConfig\nname: dummy0\n";
    const bond =
      "apiVersion: v1alpha1\nkind: BondConfig\nname: dummy0\nlinks: [eth0]\nbondMode: active-backup\n";
    try {
      applyPatches({ text: BASE, file: "base.yaml" }, patches({ "link.yaml": link, "bond.yaml": bond }));
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigErrors);
      expect((err as Error).message).toMatch(
        /^base\.yaml patched with link\.yaml, bond\.yaml: document BondConfig\/dummy0: line \d+:\d+: conflicting documents: DummyLinkConfig\/dummy0 and BondConfig\/dummy0$/,
      );
    }
  });
});
