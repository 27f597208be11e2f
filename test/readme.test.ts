// The README's talosctl examples run as written (in a scratch directory, with its own home).
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { isolatedEnv, PROJECT_ROOT, runTalosctl, tempDir } from "./helpers/cli.js";

function readmeExamples(): string[][] {
  const readme = fs.readFileSync(path.join(PROJECT_ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf("## Using talosctl"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1]!;
  return block
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line.startsWith("./bin/talosctl "))
    .flatMap((line) => line.split(" && "))
    .map((cmd) => cmd.trim().split(/\s+/).slice(1));
}

describe("README", () => {
  it("lists talosctl examples", () => {
    expect(readmeExamples().length).toBeGreaterThanOrEqual(7);
  });

  it("runs every talosctl example in order", async () => {
    const dir = tempDir("talos-readme-");
    const env = isolatedEnv(tempDir("talos-home-"));
    fs.writeFileSync(path.join(dir, "patch.yaml"), "machine:\n    certSANs:\n        - cp.example.org\n");
    for (const args of readmeExamples()) {
      const r = await runTalosctl(args, { cwd: dir, env });
      expect({ args, code: r.code, stderr: r.stderr }).toMatchObject({ code: 0 });
    }
    expect(fs.readFileSync(path.join(dir, "patched.yaml"), "utf8")).toContain("cp.example.org");
    expect(fs.statSync(path.join(dir, "secrets.yaml")).mode & 0o777).toBe(0o600);
  });
});
