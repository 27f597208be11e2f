import { create } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { EventsRequestSchema } from "../../gen/machine/machine_pb.js";
import { parseMachineConfig } from "../machine/config.js";
import { configDiff, MAX_DIFF_LINES, multiError } from "./apply.js";
import { startPosition } from "./events.js";

const base =
  "version: v1alpha1\nmachine:\n    type: worker\n    token: abc\ncluster:\n    controlPlane:\n        endpoint: https://1.2.3.4:6443\n";

/** A config as the diff takes it. */
function cfg(text: string) {
  const c = parseMachineConfig(text);
  return { text: c.text, documents: c.documents.documents };
}

const diff = (from: ReturnType<typeof cfg> | undefined, to: ReturnType<typeof cfg>) =>
  configDiff(from, to, "v1.15.0");

describe("apply helpers", () => {
  it("diffs the re-encoded configs as one container (a / b)", () => {
    const next = cfg(`${base}---\napiVersion: v1alpha1\nkind: HostnameConfig\nhostname: n1\n`);
    const text = diff(cfg(base), next);
    expect(text).toMatch(/^--- a\n\+\+\+ b\n@@ -\d+,\d+ \+\d+,\d+ @@\n/);
    expect(text).toContain("+kind: HostnameConfig\n");
    expect(diff(cfg(base), cfg(base))).toBe("No changes.");
    expect(diff(undefined, cfg(base))).toMatch(/^--- a\n\+\+\+ b\n@@ -0,0 \+1,\d+ @@\n\+version: v1alpha1\n/);
  });

  it("summarises a diff too large to show as Talos does (equal configs are no change)", () => {
    const lines = Math.ceil(MAX_DIFF_LINES / 2) + 10;
    const sans = Array.from({ length: lines - 4 }, (_, i) => `        - /f${i}`).join("\n");
    const big = `version: v1alpha1\nmachine:\n    type: worker\n    certSANs:\n${sans}\n`;
    const other = big.replace("/f0\n", "/changed\n");
    const header = /^@@ -1,(\d+) \+1,(\d+) @@ diff too large to display\n$/.exec(diff(cfg(big), cfg(other)));
    expect(header).not.toBeNull();
    const [oldLines, newLines] = [Number(header![1]), Number(header![2])];
    expect(oldLines).toBe(newLines);
    expect(oldLines + newLines).toBeGreaterThan(MAX_DIFF_LINES);
    expect(diff(cfg(big), cfg(big))).toBe("No changes.");

    // The limit is on old + new lines, inclusive: exactly 75,000 is still shown, 75,002 is not.
    const sized = (total: number) => {
      const drop = oldLines - total / 2;
      const kept = Array.from({ length: lines - 4 - drop }, (_, i) => `        - /f${i}`).join("\n");
      const text = `version: v1alpha1\nmachine:\n    type: worker\n    certSANs:\n${kept}\n`;
      return diff(cfg(text), cfg(text.replace("/f0\n", "/changed\n")));
    };
    expect(MAX_DIFF_LINES).toBe(75_000);
    expect(sized(75_000)).toMatch(/^--- a\n\+\+\+ b\n@@ /);
    expect(sized(75_002)).toBe("@@ -1,37501 +1,37501 @@ diff too large to display\n");
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
