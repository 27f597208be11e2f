import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EventsRequestSchema } from "../../gen/machine/machine_pb.js";
import { parseMachineConfig } from "../machine/config.js";
import { configDiff, MAX_DIFF_LINES, multiError } from "./apply.js";
import { startPosition } from "./events.js";

const base =
  "version: v1alpha1\nmachine:\n    type: worker\n    token: abc\ncluster:\n    controlPlane:\n        endpoint: https://1.2.3.4:6443\n";

describe("apply helpers", () => {
  it("diffs the re-encoded configs as one container (a / b)", () => {
    const next = parseMachineConfig(`${base}---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: n1\n`);
    const diff = configDiff(parseMachineConfig(base), next);
    expect(diff).toMatch(/^--- a\n\+\+\+ b\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
    expect(diff).toContain("+kind: HostnameConfig\n");
    expect(configDiff(parseMachineConfig(base), parseMachineConfig(base))).toBe("No changes.");
    expect(configDiff(undefined, parseMachineConfig(base))).toMatch(
      /^--- a\n\+\+\+ b\n@@ -0,0 \+1,\d+ @@\n\+version: v1alpha1\n/,
    );
  });

  it("summarises a diff too large to show", () => {
    const lines = Math.ceil(MAX_DIFF_LINES / 2) + 10;
    const files = Array.from({ length: lines - 4 }, (_, i) => `        - path: /f${i}`).join("\n");
    const big = `version: v1alpha1\nmachine:\n    type: worker\n    certSANs:\n${files.replaceAll("        - path: ", "        - ")}\n`;
    const cfg = parseMachineConfig(big);
    expect(configDiff(cfg, cfg)).toMatch(/^@@ -1,\d+ \+1,\d+ @@ diff too large to display$/);
  });

  it("lays errors out as go-multierror does", () => {
    expect(multiError(["one"])).toBe("1 error occurred:\n\t* one\n\n");
    expect(multiError(["a", "b"])).toBe("2 errors occurred:\n\t* a\n\t* b\n\n");
  });

  it("reads the Events tail options", () => {
    const req = (init: Parameters<typeof create<typeof EventsRequestSchema>>[1]) =>
      create(EventsRequestSchema, init);
    expect(startPosition(req({}))).toEqual({ kind: "next" });
    expect(startPosition(req({ tailEvents: -1 }))).toEqual({ kind: "all" });
    expect(startPosition(req({ tailEvents: 5 }))).toEqual({ kind: "tail", count: 5 });
    expect(startPosition(req({ tailSeconds: 30 }))).toEqual({ kind: "since", seconds: 30 });
    expect(() => startPosition(req({ tailEvents: 1, tailSeconds: 1 }))).toThrow(
      "can't be specified at the same time",
    );
  });
});
