// What a talosctl run loads: commands that need no node must not evaluate the generated wire
// modules, the protobuf runtime or the gRPC client. The launcher's trace (TALOS_TOOLKIT_TRACE)
// lists the source modules of the chunks a run evaluated; the check reads that list, not a time.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isolatedEnv, runTalosctl, tempDir } from "./helpers/cli.js";

/** Modules a command without a node has no use for. */
const WIRE = [/^src\/gen\//, /^node_modules\/@bufbuild\//, /^node_modules\/@connectrpc\//, /^src\/client\//];

interface Trace {
  chunks: string[];
  modules: string[];
  /** Node's built-in modules the process loaded. */
  builtins: string[];
}

async function traced(args: string[], home: string): Promise<{ code: number; trace: Trace }> {
  const file = path.join(home, `trace-${args.join("-").replace(/[^a-z-]/gi, "")}.jsonl`);
  const r = await runTalosctl(args, {
    env: isolatedEnv(home, { TALOS_TOOLKIT_TRACE: file, TALOSCONFIG: path.join(home, "talosconfig") }),
  });
  const records = fs
    .readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { event: string } & Trace);
  const exit = records.find((r) => r.event === "exit");
  if (!exit) throw new Error(`no exit record in the trace of talosctl ${args.join(" ")}`);
  return { code: r.code, trace: exit };
}

const wireModules = (t: Trace) => t.modules.filter((m) => WIRE.some((re) => re.test(m)));

describe("modules loaded at start-up", () => {
  const home = tempDir("talos-startup-");

  it("builds a talosconfig to read", async () => {
    const r = await runTalosctl(["gen", "config", "trace", "https://127.0.0.1:6443", "-o", home], {
      env: isolatedEnv(home),
    });
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(home, "talosconfig"))).toBe(true);
  });

  for (const args of [
    ["version", "--client"],
    ["--help"],
    ["config", "info"],
    ["gen", "secrets", "--help"],
  ]) {
    it(`talosctl ${args.join(" ")} loads no wire code`, async () => {
      const { code, trace } = await traced(args, home);
      expect(code).toBe(0);
      // The trace names the command's own module, so an empty list cannot pass for a clean one.
      expect(trace.modules).toContain("src/cli/main.ts");
      expect(wireModules(trace)).toEqual([]);
      // Nor Node's fetch implementation (on Node 22+ reading the global Headers loads it). The
      // list is Node's own, so it must hold what every process loads.
      expect(trace.builtins).toContain("fs");
      expect(trace.builtins.filter((m) => m.includes("undici"))).toEqual([]);
    });
  }

  it("gen secrets loads the bundle builder and writer, not the parsers of the other sources", async () => {
    const out = path.join(home, "secrets.yaml");
    const { code, trace } = await traced(["gen", "secrets", "-o", out], home);
    expect(code).toBe(0);
    expect(fs.existsSync(out)).toBe(true);
    expect(trace.modules).toEqual(expect.arrayContaining(["src/pki/bundle.ts", "src/pki/bundle-encode.ts"]));
    const parsers = trace.modules.filter(
      (m) =>
        m.startsWith("node_modules/yaml/") ||
        /^src\/pki\/(bundle-file|from-kubernetes-pki|from-machine-config|csr|validate)\.ts$/.test(m),
    );
    expect(parsers).toEqual([]);
    expect(wireModules(trace)).toEqual([]);
  });

  it("a command that calls a node does load the wire code it uses", async () => {
    const { trace } = await traced(["version", "-n", "127.0.0.1", "-e", "127.0.0.1:1"], home);
    const wire = wireModules(trace);
    expect(wire).toContain("src/gen/machine/machine_pb.ts");
    expect(wire.some((m) => m.startsWith("node_modules/@bufbuild/protobuf/"))).toBe(true);
  });
});
