// talosctl dashboard in a real terminal against a three-node local cluster: each screen's
// content, switching nodes and screens with talosctl's keys, the node selector, a resize, a
// reboot followed live, plain text with TERM=dumb, --once, and the terminal given back in
// cooked mode after q, Ctrl+C, a hang-up and with the endpoint gone.
import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TALOSCTL } from "./helpers/cli.js";
import { createLocalCluster, type LocalCluster } from "./helpers/local-cluster.js";
import { KEYS, type PtySession, startPty } from "./helpers/pty.js";

let cluster: LocalCluster;
let cp: string;
let w1: string;
let w2: string;

beforeAll(async () => {
  cluster = await createLocalCluster({ name: "dash", controlplanes: 1, workers: 2, timeScale: 10 });
  expect(cluster.created.code, cluster.created.stderr).toBe(0);
  [cp, w1, w2] = cluster.ips as [string, string, string];
}, 120_000);

afterAll(async () => {
  await cluster?.destroy();
  if (cluster) fs.rmSync(cluster.home, { recursive: true, force: true });
});

const sessions: PtySession[] = [];

afterAll(() => {
  for (const s of sessions) s.kill();
});

function env(extra: Record<string, string> = {}): Record<string, string | undefined> {
  return { HOME: cluster.home, PATH: process.env.PATH, TERM: "xterm-256color", ...extra };
}

/** The dashboard run from a shell that reports the terminal's mode once it has exited. */
function dashboard(
  args: string[],
  options: { cols?: number; rows?: number; env?: Record<string, string> } = {},
) {
  const script = `"$0" "$@"; code=$?; printf '\\nSTTY: %s\\nEXIT: %s\\n' "$(stty -a | tr '\\n' ' ')" "$code"; sleep 30`;
  const s = startPty("bash", ["-c", script, TALOSCTL, "dashboard", ...args], {
    cols: options.cols ?? 100,
    rows: options.rows ?? 30,
    env: env(options.env),
  });
  sessions.push(s);
  return s;
}

/** The pid of talosctl: the shell's child. */
function childPid(parent: number): number {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) return Number(entry);
    } catch {
      // the process ended meanwhile
    }
  }
  throw new Error(`no child of ${parent}`);
}

/** Waits for the shell's report and checks the terminal was given back in cooked mode. */
async function expectRestored(s: PtySession, exitCode: string, fullScreen = true): Promise<string> {
  await s.waitForRaw((raw) => /EXIT: \d+/.test(raw), 20_000, "the shell's report");
  const raw = s.raw();
  const stty = /STTY: (.*)/.exec(raw)?.[1] ?? "";
  expect(stty).toMatch(/(^|\s)icanon(\s|$)/);
  expect(stty).toMatch(/(^|\s)echo(\s|$)/);
  expect(stty).toMatch(/(^|\s)isig(\s|$)/);
  expect(/EXIT: (\d+)/.exec(raw)?.[1]).toBe(exitCode);
  expect(s.alternateScreen()).toBe(false);
  // The cursor was shown again after being hidden.
  if (fullScreen) expect(raw.lastIndexOf("\x1b[?25h")).toBeGreaterThan(raw.lastIndexOf("\x1b[?25l"));
  return raw;
}

const HOST = (ip: string) =>
  ip === cp ? "dash-controlplane-1" : ip === w1 ? "dash-worker-1" : "dash-worker-2";

describe("talosctl dashboard in a terminal", () => {
  it("shows the Summary, Monitor and Resources screens, switches nodes and quits with q", async () => {
    const s = dashboard(["-n", `${w2},${cp},${w1}`, "-d", "1s"], { cols: 160, rows: 36 });
    // Summary of the first node (nodes sorted by address), with its machine log.
    const summary = await s.waitFor(
      (t) =>
        t.includes(`${HOST(cp)} Talos (v`) &&
        /STAGE\s+√ Running/.test(t) &&
        /READY\s+√ True/.test(t) &&
        /CLUSTER\s+\S+ \(3 machines\)/.test(t) &&
        /TYPE\s+controlplane/.test(t) &&
        /ETCD\s+√ Healthy/.test(t) &&
        /KUBELET\s+√ Healthy/.test(t) &&
        new RegExp(`IP\\s+${cp.replace(/\./g, "\\.")}/\\d+`).test(t) &&
        /uptime \d/.test(t) &&
        /PROCS \d+, CPU \d+\.\d%, RAM \d+\.\d%/.test(t) &&
        t.includes("[talos]"),
      30_000,
      "the control plane's summary",
    );
    expect(summary).toContain("── Logs ─");
    expect(summary.split("\n").at(-1)).toMatch(
      new RegExp(
        `^\\[${cp} \\| ${w1} \\| ${w2}\\] --- \\[Summary\\] --- \\[F2: Monitor\\] --- \\[F3: Resources\\] --- \\[F4: Network Config\\]`,
      ),
    );
    expect(summary).toMatch(/MEMBERS\s+dash-controlplane-1, dash-worker-1, dash-worker-2/);

    // Node switching: right, l, ], then back with left, h, [.
    s.write(KEYS.right);
    await s.waitFor((t) => t.includes(`${HOST(w1)} Talos`) && /TYPE\s+worker/.test(t), 10_000, "worker 1");
    s.write("l");
    await s.waitForText(`${HOST(w2)} Talos`, 10_000);
    s.write("l"); // the last node stays selected
    s.write("[");
    await s.waitForText(`${HOST(w1)} Talos`, 10_000);
    s.write("h");
    await s.waitForText(`${HOST(cp)} Talos`, 10_000);
    s.write("]");
    await s.waitForText(`${HOST(w1)} Talos`, 10_000);
    s.write(KEYS.left);
    await s.waitForText(`${HOST(cp)} Talos`, 10_000);

    // Monitor: figures, graphs, the process table sorted by CPU, then by memory.
    s.write(KEYS.F2);
    const monitor = await s.waitFor(
      (t) =>
        t.includes("CPU USER/SYSTEM") &&
        t.includes("MEM USED") &&
        t.includes("LOAD AVG 60sec") &&
        /PID S\s+CPU▼\s+MEM%/.test(t) &&
        /\d+ S\s+\d+\.\d\s+\d+\.\d/.test(t) &&
        /Total\s+\d/.test(t) &&
        /RX [1-9]/.test(t) &&
        /READ [1-9]/.test(t) &&
        /WRITE [1-9]/.test(t),
      20_000,
      "the monitor screen",
    );
    expect(monitor.split("\n").at(-1)).toContain("[F1: Summary] --- [Monitor] --- [F3: Resources]");
    s.write("m");
    await s.waitFor((t) => /CPU%\s+MEM▼/.test(t), 10_000, "sorted by memory");
    s.write("c");
    await s.waitFor((t) => /CPU▼\s+MEM%/.test(t), 10_000, "sorted by CPU");

    // Resources: types, then the machine status resources, then one as YAML.
    s.write(KEYS.F3);
    // The type list starts at the top of the node's catalogue (some 200 types, sorted).
    await s.waitForText("AddressSpecs.net.talos.dev", 15_000);
    s.write("/");
    for (const ch of "machinestatus") s.write(ch);
    s.write(KEYS.enter);
    await s.waitFor(
      (t) => /filter: machinestatus/.test(t) && !t.includes("Members.cluster"),
      10_000,
      "filtered types",
    );
    s.write(KEYS.enter);
    await s.waitFor(
      (t) => /MachineStatus \(ns: runtime\)/.test(t) && /runtime\s+machine\s+\d+/.test(t),
      15_000,
      "the resource list",
    );
    s.write(KEYS.enter);
    await s.waitFor((t) => t.includes("runtime / machine") && /stage: running/.test(t), 10_000, "the YAML");
    s.write(KEYS.escape);
    await s.waitForText("MachineStatus (ns: runtime)", 10_000);

    // Pause: the footer says so; Ctrl+Z again resumes.
    s.write(KEYS.F1);
    s.write(KEYS.ctrlZ);
    await s.waitFor((t) => t.split("\n").at(-1)!.includes("[PAUSED]"), 10_000, "paused");
    s.write(KEYS.ctrlZ);
    await s.waitFor((t) => !t.split("\n").at(-1)!.includes("[PAUSED]"), 10_000, "resumed");

    s.write("q");
    await expectRestored(s, "0");
  }, 120_000);

  it("lists every node in the selector and jumps to one", async () => {
    const s = dashboard(["-n", `${cp},${w1},${w2}`], { cols: 80, rows: 24 });
    await s.waitFor((t) => /STAGE\s+√ Running/.test(t), 30_000, "the summary");
    s.write("n");
    const box = await s.waitFor(
      (t) =>
        t.includes("Nodes (Enter: select") &&
        [cp, w1, w2].every((ip) =>
          new RegExp(`${ip.replace(/\./g, "\\.")}\\s+dash-\\S+\\s+up\\s+running\\s+yes`).test(t),
        ),
      20_000,
      "the node selector",
    );
    expect(box).toMatch(/NODE\s+HOSTNAME\s+STATE\s+STAGE\s+READY\s+CPU\s+MEM/);
    s.write(KEYS.down);
    s.write(KEYS.down);
    s.write(KEYS.enter);
    await s.waitFor(
      (t) => t.includes(`${HOST(w2)} Talos`) && !t.includes("Nodes (Enter"),
      10_000,
      "worker 2 selected",
    );
    s.write(KEYS.ctrlC);
    await expectRestored(s, "0");
  }, 60_000);

  it("redraws for a new terminal size, at 80x24 and wide", async () => {
    const s = dashboard(["-n", cp], { cols: 80, rows: 24 });
    const small = await s.waitFor(
      (t) => /STAGE\s+√ Running/.test(t) && t.includes("[talos]"),
      30_000,
      "the summary at 80x24",
    );
    const rows = small.split("\n");
    expect(rows).toHaveLength(24);
    // A metal node offers the Network Config screen too: at 80 columns the other tabs show
    // their keys only.
    expect(rows[23]).toMatch(/^\[127\.\S+\] --- \[Summary\] --- \[F2\] --- \[F3\] --- \[F4\]─*$/);
    expect(rows[0]).toContain(HOST(cp));
    for (const row of rows) expect([...row].length).toBeLessThanOrEqual(80);
    s.resize(160, 40);
    const wide = await s.waitFor(
      (_t, r) =>
        r.length === 40 &&
        /^\[127\.\S+\] --- \[Summary\].*─{20,}$/.test(r[39]!) &&
        /RAM \d+\.\d%$/.test(r[0]!),
      10_000,
      "the summary at 160x40",
    );
    expect(wide.split("\n")[9]).toMatch(/^── Logs ─{100,}/);
    s.write("q");
    await expectRestored(s, "0");
  }, 60_000);

  it("follows a node through a reboot and back", async () => {
    const s = dashboard(["-n", w1, "-d", "1s"]);
    await s.waitFor(
      (t) => /STAGE\s+√ Running/.test(t) && /uptime \d/.test(t),
      30_000,
      "the worker's summary",
    );
    const reboot = cluster.talosctl(["-n", w1, "reboot"]);
    await s.waitForSeen(
      (t) => /STAGE\s+Rebooting/.test(t) || t.includes("unreachable:"),
      60_000,
      "the reboot",
    );
    const done = await reboot;
    expect(done.code, done.stderr).toBe(0);
    // Back: running again, reachable, and its log shows the new boot.
    await s.waitFor(
      (t) => /STAGE\s+√ Running/.test(t) && !t.includes("unreachable:") && /READY\s+√ True/.test(t),
      60_000,
      "the worker back",
    );
    s.write("q");
    await expectRestored(s, "0");
  }, 120_000);

  it("gives the terminal back on a hang-up, and stays up while the endpoint is gone", async () => {
    // An endpoint that does not answer: every node shows as unreachable, the keys still work.
    const s = dashboard(["-e", "127.0.0.1:1", "-n", cp]);
    await s.waitFor(
      (t) => t.includes("unreachable:") && t.includes("connection refused"),
      30_000,
      "the node down",
    );
    s.write(KEYS.F2);
    await s.waitForText("[F1: Summary] --- [Monitor]", 10_000);
    process.kill(childPid(s.pty.pid), "SIGHUP");
    await expectRestored(s, "0");
  }, 60_000);

  it("edits the platform network config on the Network Config screen and the node takes it", async () => {
    const s = dashboard(["-n", w2, "-d", "1s"], { cols: 160, rows: 50 });
    await s.waitFor(
      (t) => /STAGE\s+√ Running/.test(t) && t.split("\n").at(-1)!.includes("[F4: Network Config]"),
      30_000,
      "the worker's summary with the Network Config tab",
    );
    s.write(KEYS.F4);
    await s.waitFor(
      (t) =>
        t.includes("Configure (Ctrl+Q)") &&
        t.includes("Existing Config (Ctrl+W)") &&
        t.includes("New Config (Ctrl+E)") &&
        t.includes("No Config") &&
        /Hostname\s/.test(t) &&
        /Interface\s+\(none\)/.test(t),
      10_000,
      "the form",
    );
    // A bad DNS server: Talos's error in the new config, and Save writes nothing.
    for (const ch of "net-a") s.write(ch);
    s.write(KEYS.tab);
    for (const ch of "10.0.0.53 bad") s.write(ch);
    s.write(KEYS.tab);
    await s.waitFor(
      (t) =>
        t.includes("error: 1 error occurred:") &&
        t.includes("* failed to parse DNS servers") &&
        t.includes('* address: ParseAddr("bad")'),
      10_000,
      "the DNS error",
    );
    s.write(KEYS.tab); // Interface
    s.write(KEYS.tab); // Save
    s.write(KEYS.enter);
    await s.waitForText("Error: nothing to save", 10_000);
    const none = await cluster.talosctl(["-n", w2, "get", "metakeys"]);
    expect(none.code, none.stderr).toBe(0);
    expect(none.stdout).not.toMatch(/\s0x0a\s/);

    // Fixed: a static address on eth0 with a gateway, saved through MetaWrite.
    s.write(KEYS.backtab); // Interface
    s.write(KEYS.backtab); // Time Servers
    s.write(KEYS.backtab); // DNS Servers
    s.write(KEYS.ctrlU);
    for (const ch of "10.0.0.53") s.write(ch);
    s.write(KEYS.tab);
    for (const ch of "pool.ntp.org") s.write(ch);
    s.write(KEYS.tab); // Interface: open the list, pick eth0
    s.write(KEYS.enter);
    await s.waitForText("eth0", 10_000);
    s.write(KEYS.down);
    s.write(KEYS.enter);
    await s.waitFor((t) => /VLAN ID\s/.test(t) && /Mode\s+DHCP/.test(t), 10_000, "the VLAN and mode fields");
    s.write(KEYS.tab); // VLAN ID
    s.write(KEYS.tab); // Mode: Static
    s.write(KEYS.enter);
    s.write(KEYS.down);
    s.write(KEYS.enter);
    await s.waitFor((t) => /Addresses\s/.test(t) && /Gateway\s/.test(t), 10_000, "the static fields");
    s.write(KEYS.tab);
    for (const ch of "10.9.0.5/24") s.write(ch);
    s.write(KEYS.tab);
    for (const ch of "10.9.0.1") s.write(ch);
    s.write(KEYS.tab); // Save
    await s.waitFor(
      (t) =>
        t.includes("address: 10.9.0.5/24") && t.includes("gateway: 10.9.0.1") && t.includes("- 10.0.0.53"),
      10_000,
      "the new config",
    );
    s.write(KEYS.enter);
    // Saved: back to the Summary screen, which shows the node's new DNS and time servers.
    await s.waitFor(
      (t) =>
        t.split("\n").at(-1)!.includes("[Summary]") && t.includes("10.0.0.53") && t.includes("pool.ntp.org"),
      20_000,
      "the summary with the new servers",
    );

    const key = await cluster.talosctl(["-n", w2, "get", "metakeys", "0x0a", "-o", "jsonpath={.spec.value}"]);
    expect(key.code, key.stderr).toBe(0);
    expect(key.stdout).toContain("hostname: net-a");
    expect(key.stdout).toContain("address: 10.9.0.5/24");
    expect(key.stdout).toContain("linkName: eth0");
    const addresses = await cluster.talosctl(["-n", w2, "get", "nodeaddresses", "current", "-o", "yaml"]);
    expect(addresses.code, addresses.stderr).toBe(0);
    expect(addresses.stdout).toContain("- 10.9.0.5/24");
    const resolvers = await cluster.talosctl(["-n", w2, "get", "resolvers"]);
    expect(resolvers.stdout).toContain("10.0.0.53");
    // The platform's hostname is above --hostname (the kernel command line's) in Talos's layers.
    const hostname = await cluster.talosctl(["-n", w2, "get", "hostname", "-o", "jsonpath={.spec.hostname}"]);
    expect(hostname.stdout.trim()).toBe("net-a");

    s.write("q");
    await expectRestored(s, "0");
    const cleared = await cluster.talosctl(["-n", w2, "meta", "delete", "0x0a"]);
    expect(cleared.code, cleared.stderr).toBe(0);
    const back = await cluster.talosctl(["-n", w2, "get", "hostname", "-o", "jsonpath={.spec.hostname}"]);
    expect(back.stdout.trim()).toBe(HOST(w2));
  }, 120_000);

  it("prints plain text with TERM=dumb", async () => {
    const s = dashboard(["-n", cp, "-d", "1s"], { env: { TERM: "dumb" } });
    await s.waitForRaw(
      (raw) => /STAGE\s+√ Running/.test(raw) && raw.includes("[talos]"),
      30_000,
      "a plain frame",
    );
    s.write("q");
    const raw = await expectRestored(s, "0", false);
    const output = raw.slice(0, raw.indexOf("\r\nSTTY:"));
    expect(output).not.toContain("\x1b");
    expect(output).toContain(`${HOST(cp)} Talos (v`);
  }, 60_000);
});

describe("talosctl dashboard --once", () => {
  it("prints every node's Summary screen as plain text", async () => {
    const r = await cluster.talosctl(["-n", `${w1},${cp}`, "dashboard", "--once"]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain("\x1b");
    const blocks = r.stdout.split(/\n(?=┐ )/);
    expect(blocks).toHaveLength(2);
    expect(blocks[0]).toMatch(
      new RegExp(
        `^┐ ${HOST(cp)} Talos \\(v\\d+\\.\\d+\\.\\d+\\): uptime \\S+, \\S+, [\\d.]+ GiB RAM, PROCS \\d+, CPU \\d+\\.\\d%, RAM \\d+\\.\\d%`,
      ),
    );
    expect(blocks[0]).toMatch(/STAGE\s+√ Running/);
    expect(blocks[0]).toMatch(/── Logs ─+\n \S/);
    expect(blocks[1]).toContain(HOST(w1));
    expect(blocks[1]).toMatch(/TYPE\s+worker/);
  }, 60_000);

  it("refuses a non-positive update interval", async () => {
    const r = await cluster.talosctl(["-n", cp, "dashboard", "-d", "0s"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('invalid argument "0s" for "-d, --update-interval" flag: must be positive');
    expect(r.stdout).toBe("");
  });

  it("refuses arguments", async () => {
    const r = await cluster.talosctl(["-n", cp, "dashboard", "extra"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('unknown command "extra" for "talosctl dashboard"');
  });
});
