// The offline `talosctl config` subcommands, run in-process against temporary talosconfigs,
// plus real processes for concurrent edits.
import fs from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isolatedEnv, type RunResult, runInProcess, runTalosctl, tempDir } from "./helpers/cli.js";

// A self-signed Ed25519 certificate made for these tests with openssl: subject O=os:reader,
// O=os:admin; valid 2026-11-22T03:09:08Z to 2027-11-22T03:09:08Z.
const CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBYzCCARWgAwIBAgIUL987CuB4cexNI8FlmtjD+AkXP78wBQYDK2VwMCcxEjAQ
BgNVBAoMCW9zOnJlYWRlcjERMA8GA1UECgwIb3M6YWRtaW4wHhcNMjYxMTIyMDMw
OTA4WhcNMjcxMTIyMDMwOTA4WjAnMRIwEAYDVQQKDAlvczpyZWFkZXIxETAPBgNV
BAoMCG9zOmFkbWluMCowBQYDK2VwAyEAKHNFe60r6KrD2eVC/GJAUkjklVrdjEtU
cCs8MTKcSbqjUzBRMB0GA1UdDgQWBBQLVdTknBkncW1j3+4btqX/hp2ArzAfBgNV
HSMEGDAWgBQLVdTknBkncW1j3+4btqX/hp2ArzAPBgNVHRMBAf8EBTADAQH/MAUG
AytlcANBAKAgpOqI0uInJl8thWF4WGHa3lgrXcrvmGf8XmrEJ4Jg8gHZHzFgiJoH
8vf92rjKM+XJU9bZzckflJq7LJltRQI=
-----END CERTIFICATE-----
`;
const KEY_PEM =
  "-----BEGIN ED25519 PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIGVzdC1rZXktbm90LXVzZWQtZm9yLWFueXRoaW5nISE=\n-----END ED25519 PRIVATE KEY-----\n";
const CA_PEM = CERT_PEM;

let home: string;
let work: string;
let config: string;

beforeEach(() => {
  home = tempDir("talos-cfg-home-");
  work = tempDir("talos-cfg-work-");
  config = path.join(home, ".talos", "config");
});
afterEach(() => {
  fs.rmSync(home, { recursive: true, force: true });
  fs.rmSync(work, { recursive: true, force: true });
});

interface CliOptions {
  env?: Record<string, string | undefined>;
  input?: string;
  tty?: boolean;
  now?: Date;
}

function cli(args: readonly string[], options: CliOptions = {}): Promise<RunResult> {
  return runInProcess(args, {
    home,
    cwd: work,
    env: { HOME: home, ...options.env },
    ...(options.input === undefined ? {} : { input: options.input }),
    ...(options.tty ? { stdinIsTTY: true } : {}),
    ...(options.now ? { now: () => options.now! } : {}),
  });
}

async function ok(args: readonly string[], options: CliOptions = {}): Promise<RunResult> {
  const r = await cli(args, options);
  if (r.code !== 0) throw new Error(`talosctl ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
  return r;
}

/** Expects a one-line error, exit 1, and nothing on stdout. */
async function fails(args: readonly string[], options: CliOptions = {}): Promise<string> {
  const r = await cli(args, options);
  expect(r.code, r.stdout).toBe(1);
  expect(r.stdout).toBe("");
  const first = r.stderr.split("\n")[0]!;
  return first;
}

function write(name: string, content: string | Uint8Array): string {
  const p = path.join(work, name);
  fs.writeFileSync(p, content);
  return p;
}

function read(p = config): string {
  return fs.readFileSync(p, "utf8");
}

const b64 = (s: string): string => Buffer.from(s).toString("base64");

/** A config with contexts a (current, endpoints e1, nodes n1..n5) and b. */
function seed(p = config): void {
  fs.mkdirSync(path.dirname(p), { recursive: true, mode: 0o700 });
  fs.writeFileSync(
    p,
    [
      "context: a",
      "contexts:",
      "    a:",
      "        endpoints:",
      "            - e1",
      "            - e2",
      "        nodes: [n1, n2, n3, n4, n5]",
      "    b:",
      "        endpoints: []",
      "        nodes: [m1]",
      "",
    ].join("\n"),
    { mode: 0o600 },
  );
}

describe("config add", () => {
  it("creates the talosconfig (0600 in a 0700 dir) with base64 credentials; the first context becomes current", async () => {
    write("ca.crt", CA_PEM);
    write("admin.crt", CERT_PEM);
    write("admin.key", KEY_PEM);
    const r = await ok([
      "config",
      "add",
      "prod",
      "--ca",
      "ca.crt",
      "--crt",
      "admin.crt",
      "--key",
      "admin.key",
    ]);
    expect(r.stdout + r.stderr).toBe("");
    expect(read()).toBe(
      [
        "context: prod",
        "contexts:",
        "    prod:",
        "        endpoints: []",
        `        ca: ${b64(CA_PEM)}`,
        `        crt: ${b64(CERT_PEM)}`,
        `        key: ${b64(KEY_PEM)}`,
        "",
      ].join("\n"),
    );
    expect(fs.statSync(config).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(config)).mode & 0o777).toBe(0o700);

    await ok(["config", "add", "staging"]);
    expect(read()).toMatch(/^context: prod\n/);
    expect(read()).toContain("    staging:\n        endpoints: []\n");
    // No temp or lock files are left behind.
    expect(fs.readdirSync(path.dirname(config))).toEqual(["config"]);
  });

  it("replaces an existing context of the same name", async () => {
    seed();
    await ok(["config", "add", "a"]);
    expect(read()).toContain("    a:\n        endpoints: []\n    b:");
  });

  it("requires --crt and --key together", async () => {
    write("admin.crt", CERT_PEM);
    expect(await fails(["config", "add", "x", "--crt", "admin.crt"])).toBe(
      "--crt and --key must be given together (got only --crt)",
    );
    expect(await fails(["config", "add", "x", "--key", "admin.key"])).toBe(
      "--crt and --key must be given together (got only --key)",
    );
    expect(fs.existsSync(config)).toBe(false);
  });

  it("names an unreadable or non-PEM file and changes nothing", async () => {
    seed();
    const before = read();
    expect(await fails(["config", "add", "x", "--ca", "missing.crt"])).toBe(
      `--ca: failed to read ${path.join(work, "missing.crt")}: no such file or directory`,
    );
    write("notpem.key", "hello");
    write("admin.crt", CERT_PEM);
    expect(await fails(["config", "add", "x", "--crt", "admin.crt", "--key", "notpem.key"])).toBe(
      `--key: ${path.join(work, "notpem.key")} is not a PEM file`,
    );
    expect(await fails(["config", "add", "x", "--ca", work])).toBe(
      `--ca: failed to read ${work}: is a directory`,
    );
    expect(read()).toBe(before);
  });

  it("rejects an empty name and a missing one", async () => {
    expect(await fails(["config", "add", ""])).toBe("context name must not be empty");
    expect(await fails(["config", "add"])).toBe("accepts 1 arg(s), received 0");
    expect(await fails(["config", "add", "a", "b"])).toBe("accepts 1 arg(s), received 2");
  });
});

describe("config context", () => {
  it("switches the current context, also through its alias", async () => {
    seed();
    await ok(["config", "context", "b"]);
    expect(read()).toMatch(/^context: b\n/);
    await ok(["config", "use-context", "a"]);
    expect(read()).toMatch(/^context: a\n/);
  });

  it("lists the known contexts when the name is unknown", async () => {
    seed();
    expect(await fails(["config", "context", "nope"])).toBe(
      'context "nope" is not defined (known contexts: a, b)',
    );
    expect(read()).toMatch(/^context: a\n/);
  });

  it("completes context names", async () => {
    seed();
    const r = await ok(["__complete", "config", "context", ""]);
    expect(r.stdout).toBe("a\nb\n:4\n");
    const flag = await ok(["__complete", "config", "info", "--context", ""]);
    expect(flag.stdout).toBe("a\nb\n:4\n");
  });
});

describe("config contexts", () => {
  it("prints the table with the current context marked and long node lists cut", async () => {
    seed();
    const r = await ok(["config", "contexts"]);
    expect(r.stdout).toBe(
      [
        "CURRENT   NAME   ENDPOINTS   NODES",
        "*         a      e1,e2       n1,n2,n3...",
        "          b                  m1",
        "",
      ].join("\n"),
    );
    expect((await ok(["config", "get-contexts"])).stdout).toBe(r.stdout);
  });

  it("prints JSON and YAML lists", async () => {
    seed();
    const json = JSON.parse((await ok(["config", "contexts", "-o", "json"])).stdout);
    expect(json).toEqual([
      { name: "a", current: true, endpoints: ["e1", "e2"], nodes: ["n1", "n2", "n3", "n4", "n5"] },
      { name: "b", current: false, endpoints: [], nodes: ["m1"] },
    ]);
    const yaml = (await ok(["config", "contexts", "-o", "yaml"])).stdout;
    expect(yaml).toContain("- name: b\n  current: false\n");
    expect(await fails(["config", "contexts", "-o", "wide"])).toBe(
      '--output: unknown output format "wide" (use one of: table, json, yaml)',
    );
  });

  it("prints only the header for a fresh config, which it creates", async () => {
    const r = await ok(["config", "contexts"]);
    expect(r.stdout).toBe("CURRENT   NAME   ENDPOINTS   NODES\n");
    expect(read()).toBe('context: ""\ncontexts: {}\n');
  });
});

describe("config endpoint and config node", () => {
  it("replace the current context's endpoints (trimmed) and nodes", async () => {
    seed();
    await ok(["config", "endpoint", " 10.0.0.1 ", "10.0.0.2"]);
    await ok(["config", "nodes", "10.0.0.5"]);
    const after = read();
    expect(after).toContain(
      "    a:\n        endpoints:\n            - 10.0.0.1\n            - 10.0.0.2\n        nodes:\n            - 10.0.0.5\n",
    );
    await ok(["config", "node"]);
    expect(read()).toContain(
      "    a:\n        endpoints:\n            - 10.0.0.1\n            - 10.0.0.2\n    b:",
    );
    await ok(["config", "endpoints", "1.2"]);
    expect(read()).toContain('    a:\n        endpoints:\n            - "1.2"\n');
  });

  it("edit the context --context names, even when the file has no current context", async () => {
    seed();
    fs.writeFileSync(config, read().replace("context: a", 'context: ""'));
    await ok(["--context", "b", "config", "endpoint", "x"]);
    expect(read()).toContain("    b:\n        endpoints:\n            - x\n");
    expect(await fails(["config", "endpoint", "y"])).toMatch(/^no context is set \(known contexts: a, b\)/);
  });

  it("name the missing context and the ones that exist", async () => {
    seed();
    expect(await fails(["config", "node", "x", "--context", "zz"])).toBe(
      'context "zz" is not defined (known contexts: a, b)',
    );
    fs.writeFileSync(config, read().replace("context: a", "context: gone"));
    expect(await fails(["config", "endpoint", "x"])).toBe(
      'context "gone" is not defined (known contexts: a, b)',
    );
  });

  it("need at least one endpoint", async () => {
    seed();
    expect(await fails(["config", "endpoint"])).toBe("requires at least 1 arg(s), only received 0");
    expect(await fails(["config", "endpoint", "  "])).toBe("at least one non-empty endpoint is required");
  });

  it("report an empty talosconfig by name", async () => {
    fs.mkdirSync(path.dirname(config), { recursive: true });
    fs.writeFileSync(config, "  \n");
    expect(await fails(["config", "endpoint", "x"])).toBe(`talosconfig ${config} is empty`);
    expect(await fails(["config", "info"])).toBe(`talosconfig ${config} is empty`);
  });
});

describe("config proxy-url", () => {
  it("shows, sets and clears the proxy URL", async () => {
    seed();
    let r = await ok(["config", "proxy-url"]);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe('no proxy URL is set for context "a"\n');
    await ok(["config", "proxy-url", "socks5://127.0.0.1:1080"]);
    expect(read()).toContain("        proxy-url: socks5://127.0.0.1:1080\n");
    r = await ok(["config", "proxy-url"]);
    expect(r.stdout).toBe("socks5://127.0.0.1:1080\n");
    await ok(["config", "proxy-url", "direct", "--context", "b"]);
    expect((await ok(["config", "proxy-url", "--context", "b"])).stdout).toBe("direct\n");
    await ok(["config", "proxy-url", ""]);
    expect(read()).not.toContain("socks5");
    await ok(["config", "proxy-url", "https://proxy.example:3128"]);
    expect(read()).toContain("proxy-url: https://proxy.example:3128\n");
  });

  it("rejects other schemes and non-URLs", async () => {
    seed();
    const before = read();
    expect(await fails(["config", "proxy-url", "ftp://x"])).toBe(
      'invalid proxy URL "ftp://x": unsupported scheme "ftp" (use socks5, http or https, or "direct")',
    );
    expect(await fails(["config", "proxy-url", "proxy:3128"])).toBe(
      'invalid proxy URL "proxy:3128": unsupported scheme "proxy" (use socks5, http or https, or "direct")',
    );
    expect(await fails(["config", "proxy-url", "not a url"])).toBe(
      'invalid proxy URL "not a url": expected socks5://, http:// or https:// and a host, or "direct"',
    );
    expect(read()).toBe(before);
  });
});

describe("config info", () => {
  const NOW = new Date("2027-01-01T00:00:00Z");

  beforeEach(async () => {
    seed();
    write("admin.crt", CERT_PEM);
    write("admin.key", KEY_PEM);
    await ok(["config", "add", "c", "--crt", "admin.crt", "--key", "admin.key"]);
  });

  it("prints the text summary with roles and expiry", async () => {
    const r = await ok(["config", "info", "--context", "c"], { now: NOW });
    expect(r.stdout).toBe(
      [
        "Current context:     c",
        "Nodes:               not defined",
        "Endpoints:           not defined",
        "Roles:               os:admin, os:reader",
        "Certificate expires: 10 months from now (2027-11-22)",
        "",
      ].join("\n"),
    );
  });

  it("shows the context --context selects, not the file's current one", async () => {
    const r = await ok(["config", "info"], { now: NOW });
    expect(r.stdout).toBe(
      "Current context:     a\nNodes:               n1, n2, n3, n4, n5\nEndpoints:           e1, e2\n",
    );
    const b = await ok(["--context", "b", "config", "info"], { now: NOW });
    expect(b.stdout.split("\n")[0]).toBe("Current context:     b");
  });

  it("prints JSON and YAML", async () => {
    const json = (await ok(["config", "info", "--context", "c", "-o", "json"], { now: NOW })).stdout;
    expect(json).toBe(
      `${JSON.stringify(
        {
          context: "c",
          nodes: [],
          endpoints: [],
          roles: ["os:admin", "os:reader"],
          certTTL: "7803h9m8s",
          certNotAfter: "2027-11-22T03:09:08Z",
        },
        null,
        2,
      )}\n`,
    );
    const yaml = (await ok(["config", "info", "-o", "yaml"], { now: NOW })).stdout;
    expect(yaml).toBe(
      'context: a\nnodes:\n    - n1\n    - n2\n    - n3\n    - n4\n    - n5\nendpoints:\n    - e1\n    - e2\nroles: []\ncertTTL: ""\ncertNotAfter: ""\n',
    );
    // talosctl's words: the format after a colon, quoted as Go's %q does.
    expect(await fails(["config", "info", "-o", "table"])).toBe('unknown output format: "table"');
    expect(await fails(["config", "info", "--output=json "])).toBe('unknown output format: "json "');
  });

  it("names the context of an unreadable certificate", async () => {
    fs.writeFileSync(config, read().replace(/crt: \S+/, `crt: ${b64("not pem")}`));
    expect(await fails(["config", "info", "--context", "c"])).toBe(
      'context "c": the client certificate (crt) does not hold PEM data',
    );
  });
});

describe("config merge", () => {
  it("renames clashes, reports them on stderr and switches to the incoming current context", async () => {
    seed();
    const from = write(
      "incoming",
      "context: a\ncontexts:\n    a:\n        endpoints: [x1]\n    c:\n        endpoints: [x2]\n",
    );
    const r = await ok(["config", "merge", "incoming"]);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe('renamed talosconfig context "a" -> "a-1"\n');
    const names = JSON.parse((await ok(["config", "contexts", "-o", "json"])).stdout) as {
      name: string;
      current: boolean;
    }[];
    expect(names.map((n) => `${n.current ? "*" : ""}${n.name}`)).toEqual(["a", "*a-1", "b", "c"]);
    const again = await ok(["config", "merge", from]);
    expect(again.stderr).toBe(
      'renamed talosconfig context "a" -> "a-2"\nrenamed talosconfig context "c" -> "c-1"\n',
    );
  });

  it("rejects missing, garbage, empty and self merges with the file's name", async () => {
    seed();
    const before = read();
    expect(await fails(["config", "merge", "nope"])).toBe(
      `failed to read ${path.join(work, "nope")}: no such file or directory`,
    );
    write("garbage", Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff]));
    expect(await fails(["config", "merge", "garbage"])).toBe(
      `failed to parse talosconfig ${path.join(work, "garbage")}: not a YAML text file (it is not valid UTF-8)`,
    );
    write("list", "- a\n- b\n");
    expect(await fails(["config", "merge", "list"])).toMatch(/: line 1:1: expected a map .* got a list$/);
    write("empty", "");
    expect(await fails(["config", "merge", "empty"])).toBe(
      `talosconfig ${path.join(work, "empty")} has no contexts to merge`,
    );
    expect(await fails(["config", "merge", config])).toBe(`cannot merge ${config} into itself`);
    expect(read()).toBe(before);
  });
});

describe("config remove", () => {
  beforeEach(() => seed());

  it("removes matches with --noconfirm, skipping the current context", async () => {
    const r = await ok(["config", "remove", "*", "-y"]);
    expect(r.stderr).toBe(
      'skipping removal of current context "a", please change it to another before removing\nremoving context "b"\n',
    );
    expect(read()).not.toContain("    b:");
    expect(read()).toContain("    a:");
  });

  it("asks per context on a terminal and removes only the confirmed ones", async () => {
    await ok(["config", "add", "c"]);
    await ok(["config", "add", "d"]);
    const r = await ok(["config", "remove", "[b-d]"], { tty: true, input: "y\nno\nYes\n" });
    expect(r.stderr).toBe(
      'remove context "b"? (y/N): remove context "c"? (y/N): remove context "d"? (y/N): ',
    );
    const names = (
      JSON.parse((await ok(["config", "contexts", "-o", "json"])).stdout) as { name: string }[]
    ).map((c) => c.name);
    expect(names).toEqual(["a", "c"]);
  });

  it("treats end of input as no", async () => {
    const before = read();
    const r = await ok(["config", "remove", "b"], { tty: true, input: "" });
    expect(r.stderr).toBe('remove context "b"? (y/N): \n');
    expect(read()).toBe(before);
  });

  it("refuses to ask without a terminal and without --noconfirm", async () => {
    const before = read();
    expect(await fails(["config", "remove", "b"])).toBe(
      "cannot ask for confirmation: stdin is not a terminal; pass --noconfirm (-y) to remove without asking",
    );
    expect(read()).toBe(before);
  });

  it("only reports with --dry-run", async () => {
    const before = read();
    const r = await ok(["config", "remove", "?", "--dry-run"]);
    expect(r.stdout).toBe('would remove context "b"\n');
    expect(r.stderr).toContain('skipping removal of current context "a"');
    expect(read()).toBe(before);
  });

  it("fails clearly when nothing matches", async () => {
    expect(await fails(["config", "remove", "zz*", "-y"])).toBe(
      'no contexts matched "zz*" (known contexts: a, b)',
    );
    expect(await fails(["config", "remove", "", "-y"])).toBe("no context specified");
    expect(await fails(["config", "remove", "[z-a]", "-y"])).toMatch(/^invalid context pattern "\[z-a\]": /);
    fs.writeFileSync(config, 'context: ""\ncontexts: {}\n');
    expect(await fails(["config", "remove", "*", "-y"])).toBe(`no contexts defined in ${config}`);
  });
});

describe("talosconfig location", () => {
  it("follows --talosconfig (relative to the working directory), $TALOSCONFIG and an absolute $TALOS_HOME", async () => {
    await ok(["config", "add", "flag", "--talosconfig", "tc-flag"]);
    expect(read(path.join(work, "tc-flag"))).toContain("    flag:");

    const fromEnv = path.join(work, "tc-env");
    await ok(["config", "add", "env"], { env: { TALOSCONFIG: fromEnv } });
    expect(read(fromEnv)).toContain("    env:");

    const talosHome = path.join(work, "th");
    await ok(["config", "add", "th"], { env: { TALOS_HOME: talosHome } });
    expect(read(path.join(talosHome, "config"))).toContain("    th:");
    expect(fs.statSync(talosHome).mode & 0o777).toBe(0o700);

    await ok(["config", "add", "home"], { env: { TALOS_HOME: "relative" } });
    expect(read()).toContain("    home:");
    expect(fs.existsSync(path.join(work, "relative"))).toBe(false);
  });

  it("keeps the last value of a repeated flag, as pflag does for plain string flags", async () => {
    await ok(["config", "add", "x", "--talosconfig", "tc-a", "--talosconfig=tc-b"]);
    expect(fs.existsSync(path.join(work, "tc-a"))).toBe(false);
    expect(read(path.join(work, "tc-b"))).toContain("    x:");

    seed();
    await ok(["config", "node", "n9", "--context", "a", "--context", "b"]);
    expect(read()).toContain("    b:\n        endpoints: []\n        nodes:\n            - n9\n");
    expect(read()).toContain("            - n5\n");
    const r = await ok(["config", "info", "-o", "json", "-o", "yaml"]);
    expect(r.stdout).toMatch(/^context: a\n/);
  });

  it("fails with one line when the config cannot be written", async () => {
    const blocker = write("a-file", "x");
    const target = path.join(blocker, "config");
    expect(await fails(["config", "add", "x", "--talosconfig", target])).toBe(
      `failed to write ${target}: ${blocker} is not a directory`,
    );
    expect(await fails(["config", "contexts", "--talosconfig", path.join(blocker, "sub", "config")])).toBe(
      `failed to write ${path.join(blocker, "sub", "config")}: a parent is not a directory`,
    );
  });

  it("reports garbage talosconfigs with the file name and position", async () => {
    const bin = write("bin", Buffer.from([0x00, 0x01, 0x02, 0x03]));
    expect(await fails(["config", "contexts", "--talosconfig", bin])).toBe(
      `failed to parse talosconfig ${bin}: not a YAML text file (it contains binary data)`,
    );
    const list = write("list", "- a\n");
    expect(await fails(["config", "info", "--talosconfig", list])).toBe(
      `failed to parse talosconfig ${list}: line 1:1: expected a map with "context" and "contexts" at the top level, got a list`,
    );
    const wrong = write("wrong", "context: a\ncontexts: 5\n");
    expect(await fails(["config", "add", "x", "--talosconfig", wrong])).toBe(
      `failed to parse talosconfig ${wrong}: line 2:11: "contexts" must be a map of context names, got a number (5)`,
    );
    expect(read(wrong)).toBe("context: a\ncontexts: 5\n");
  });
});

describe("concurrent edits (real processes)", () => {
  it("keeps every context when 8 talosctl processes add one each at the same time", async () => {
    const target = path.join(work, "shared", "talosconfig");
    const env = isolatedEnv(home);
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        runTalosctl(["config", "add", `ctx-${i}`, "--talosconfig", target], { env, cwd: work }),
      ),
    );
    for (const r of results) expect(r, r.stderr).toMatchObject({ code: 0, stderr: "" });
    const names = (
      JSON.parse((await ok(["config", "contexts", "-o", "json", "--talosconfig", target])).stdout) as {
        name: string;
      }[]
    ).map((c) => c.name);
    expect(names).toEqual(Array.from({ length: 8 }, (_, i) => `ctx-${i}`));
    expect(fs.readdirSync(path.dirname(target))).toEqual(["talosconfig"]);
    expect(fs.statSync(target).mode & 0o777).toBe(0o600);
  });
});
