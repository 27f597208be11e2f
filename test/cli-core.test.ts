// The CLI skeleton: help, version, errors and exit codes, completion protocol and scripts.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TALOS_VERSION } from "../src/version.js";
import { isolatedEnv, PROJECT_ROOT, runInProcess, runTalosctl, tempDir } from "./helpers/cli.js";

describe("help", () => {
  it("groups top-level commands as talosctl does", async () => {
    const r = await runInProcess(["--help"]);
    expect(r.code).toBe(0);
    const talos = r.stdout.indexOf("Manage running Talos clusters:");
    const mgmt = r.stdout.indexOf("Commands to generate and manage machine configuration offline:");
    expect(talos).toBeGreaterThan(0);
    expect(mgmt).toBeGreaterThan(talos);
    expect(r.stdout).toMatch(/\n {2}version +Prints the version\n/);
    expect(r.stdout.slice(mgmt)).toMatch(/\n {2}gen +Generate CAs/);
  });

  it("prints a group's subcommands with no subcommand given", async () => {
    const r = await runInProcess(["gen"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Available Commands:");
    expect(r.stdout).toMatch(/\n {2}secrets +Generates a secrets bundle/);
  });

  it("shows a command's flags with --help and `help <command>`", async () => {
    for (const args of [
      ["version", "--help"],
      ["help", "version"],
    ]) {
      const r = await runInProcess(args);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("--client");
      expect(r.stdout).toContain("--nodes");
    }
  });
});

describe("errors", () => {
  it("names an unknown command in one line and exits 1", async () => {
    const r = await runInProcess(["frobnicate"]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe('unknown command "frobnicate" for "talosctl"');
    expect(r.stderr).not.toMatch(/at .*\.ts:\d+/);
  });

  it("names an unknown subcommand with its parent", async () => {
    const r = await runInProcess(["gen", "nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe('unknown command "nope" for "talosctl gen"');
  });

  it("names an unknown flag", async () => {
    const r = await runInProcess(["version", "--client", "--bogus"]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe("unknown flag: --bogus");
    expect(r.stdout).toBe("");
  });

  it("rejects an unsupported completion shell", async () => {
    const r = await runInProcess(["completion", "tcsh"]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe('unsupported shell "tcsh": use one of bash, zsh, fish, powershell');
  });
});

describe("version", () => {
  it("prints the client block with --client", async () => {
    const r = await runInProcess(["version", "--client"]);
    expect(r.code).toBe(0);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe("Client:");
    expect(lines[1]).toBe(`\tTag:         ${TALOS_VERSION}`);
    expect(lines[2]).toMatch(/^\tSHA: {9}\S+$/);
    expect(lines.some((l) => /^\tOS\/Arch: {5}linux\/(amd64|arm64)$/.test(l))).toBe(true);
  });

  it("prints one line with --short", async () => {
    const r = await runInProcess(["version", "--client", "--short"]);
    expect(r.stdout).toBe(`Client:\nTalos ${TALOS_VERSION}\n`);
  });

  it("accepts global flags before the command", async () => {
    const r = await runInProcess(["-n", "10.5.0.2", "version", "--client", "--short"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Client:\nTalos ${TALOS_VERSION}\n`);
  });

  it("prints JSON with --json", async () => {
    const r = await runInProcess(["version", "--client", "--json"]);
    expect(JSON.parse(r.stdout).client.tag).toBe(TALOS_VERSION);
  });
});

describe("completion protocol", () => {
  it("completes top-level commands with a directive line", async () => {
    const r = await runInProcess(["__complete", "ver"]);
    expect(r.stdout).toBe("version\tPrints the version\n:4\n");
  });

  it("completes subcommands after global flags", async () => {
    const r = await runInProcess(["__completeNoDesc", "-n", "10.0.0.1", ""]);
    const lines = r.stdout.trim().split("\n");
    expect(lines).toContain("version");
    expect(lines).toContain("config");
    expect(lines[lines.length - 1]).toBe(":4");
  });

  it("completes flags of a command", async () => {
    const r = await runInProcess(["__completeNoDesc", "version", "--sh"]);
    expect(r.stdout).toBe("--short\n:4\n");
  });

  it("completes context names for --context and config context, after global flags", async () => {
    const home = tempDir("talos-home-");
    const cfg = path.join(home, "tc.yaml");
    fs.writeFileSync(
      cfg,
      "context: prod\ncontexts:\n    prod:\n        endpoints: []\n    staging:\n        endpoints: []\n    dev:\n        endpoints: []\n",
    );
    const flag = await runInProcess(
      ["__completeNoDesc", "-n", "10.0.0.1", "version", "--talosconfig", cfg, "--context", ""],
      {
        home,
      },
    );
    expect(flag.stdout).toBe("dev\nprod\nstaging\n:4\n");
    const env = { HOME: home, TALOSCONFIG: cfg };
    const positional = await runInProcess(["__completeNoDesc", "config", "context", "st"], { home, env });
    expect(positional.stdout).toBe("staging\n:4\n");
  });

  it("completes static positional values", async () => {
    const r = await runInProcess(["__completeNoDesc", "completion", "z"]);
    expect(r.stdout).toBe("zsh\n:4\n");
  });
});

describe("completion scripts", () => {
  const files: Record<string, string> = {
    bash: "talosctl.bash",
    zsh: "_talosctl",
    fish: "talosctl.fish",
    powershell: "talosctl.ps1",
  };

  it("committed scripts match what the CLI prints", async () => {
    for (const [shell, name] of Object.entries(files)) {
      const r = await runInProcess(["completion", shell]);
      expect(r.code).toBe(0);
      expect(fs.readFileSync(path.join(PROJECT_ROOT, "completions", name), "utf8")).toBe(r.stdout);
    }
  });

  it("the bash script completes commands after global flags through the real binary", () => {
    const bin = tempDir("talos-bin-");
    fs.symlinkSync(path.join(PROJECT_ROOT, "bin", "talosctl"), path.join(bin, "talosctl"));
    const script = `
      source "${path.join(PROJECT_ROOT, "completions", "talosctl.bash")}"
      compopt() { :; }
      COMP_WORDS=(talosctl -n 10.0.0.1 ver)
      COMP_CWORD=3
      __talosctl_complete
      printf '%s\\n' "\${COMPREPLY[@]}"
    `;
    const out = execFileSync("bash", ["-c", script], {
      env: { ...isolatedEnv(tempDir()), PATH: `${bin}:${process.env.PATH}` },
    }).toString();
    expect(out.trim()).toBe("version");
  });
});

describe("the built binary", () => {
  it("runs version --client and exits 0", async () => {
    const r = await runTalosctl(["version", "--client", "--short"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`Client:\nTalos ${TALOS_VERSION}\n`);
  });

  it("exits 1 with one line for a user error", async () => {
    const r = await runTalosctl(["nosuch"]);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n")[0]).toBe('unknown command "nosuch" for "talosctl"');
  });
});
