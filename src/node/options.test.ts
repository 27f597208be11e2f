import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { TALOS_VERSION } from "../version.js";
import { emulatedNodeOptions, processCount, shardAddresses } from "./emulate.js";
import { parseListen, parseNodeArgs } from "./options.js";

function options(argv: string[]) {
  const parsed = parseNodeArgs(argv);
  if (parsed.help) throw new Error("help");
  return parsed.options;
}

describe("talos-node flags", () => {
  it("fills in defaults", () => {
    expect(options(["--state-dir", "s"])).toMatchObject({
      stateDir: "s",
      host: "0.0.0.0",
      port: 50000,
      platform: "metal",
      talosVersion: TALOS_VERSION,
      timeScale: 1,
      disks: [{ devPath: "/dev/sda", size: 10 * 1024 ** 3, type: "hdd" }],
    });
    expect(options(["--state-dir=s", "--platform", "container"]).disks).toEqual([]);
  });

  it("reads every flag, in both spellings, and repeated disks", () => {
    const o = options([
      "--state-dir=s",
      "--listen",
      "[::1]:0",
      "--hostname=Node-1",
      "--platform=cloud",
      "--disk",
      "/dev/nvme0n1:512GB",
      "--disk=/dev/sdb:1TiB",
      "--talos-version",
      "v1.13.0-beta.1",
      "--time-scale",
      "100",
      "--virtiofs",
      "share0",
      "--virtiofs=Data",
    ]);
    expect(o).toMatchObject({ host: "::1", port: 0, hostname: "node-1", platform: "cloud", timeScale: 100 });
    expect(o.virtiofs).toEqual(["share0", "Data"]);
    expect(options(["--state-dir=s"]).virtiofs).toBeUndefined();
    expect(o.disks.map((d) => [d.devPath, d.size, d.type])).toEqual([
      ["/dev/nvme0n1", 512e9, "nvme"],
      ["/dev/sdb", 1024 ** 4, "hdd"],
    ]);
    expect(parseNodeArgs(["-h"])).toEqual({ help: true });
  });

  it("names the flag in every error", () => {
    const cases: [string[], string][] = [
      [["--listen", "1.2.3.4:5"], "--state-dir is required (see --help)"],
      [
        ["--state-dir", "s", "--listen", "host:1"],
        '--listen "host:1": expected HOST:PORT with an IP address, e.g. 0.0.0.0:50000',
      ],
      [["--state-dir", "s", "--state-dir", "t"], "--state-dir was given more than once"],
      [["--state-dir", "s", "--time-scale", "fast"], '--time-scale "fast": expected a number in (0, 100000]'],
      [
        ["--state-dir", "s", "--time-scale", "1000001"],
        '--time-scale "1000001": expected a number in (0, 100000]',
      ],
      [["--state-dir", "s", "positional"], 'unexpected argument "positional" (see --help)'],
      [["--state-dir", "s", "--listen"], "flag needs an argument: --listen"],
      [
        ["--state-dir", "s", "--disk", "sda:1GiB"],
        '--disk "sda:1GiB": expected /dev/<name>:<size>, e.g. /dev/sda:10GiB',
      ],
      [
        ["--state-dir", "s", "--disk", "/dev/sda:lots"],
        '--disk "/dev/sda:lots": expected /dev/<name>:<size>, e.g. /dev/sda:10GiB',
      ],
      [["--state-dir", "s", "--virtiofs", "a b"], '--virtiofs "a b": expected a tag of 1 to 36 characters'],
      [["--state-dir", "s", "--virtiofs", "x".repeat(37)], `--virtiofs "${"x".repeat(37)}": expected a tag`],
      [["--state-dir", "s", "--virtiofs", "t", "--virtiofs", "t"], "--virtiofs t was given more than once"],
    ];
    for (const [argv, message] of cases) expect(() => parseNodeArgs(argv), argv.join(" ")).toThrow(message);
  });

  it("reads the downtime and the image catalog", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "node-options-"));
    try {
      const file = path.join(dir, "catalog.yaml");
      fs.writeFileSync(
        file,
        "- ref: registry.example/installer:v1.14.1\n  version: v1.14.1\n- ref: installer:broken\n  version: v1.14.2\n  failBoot: true\n",
      );
      const o = options(["--state-dir", "s", "--downtime", "1m30s", "--image-catalog", file]);
      expect(o.downtimeMs).toBe(90_000);
      expect(o.catalog?.map((i) => [i.ref, i.version, i.failBoot])).toEqual([
        ["registry.example/installer:v1.14.1", "v1.14.1", false],
        ["docker.io/library/installer:broken", "v1.14.2", true],
      ]);
      const bad: [string, string][] = [
        ["- ref: x\n", "entry 1: version must look like vX.Y.Z (got undefined)"],
        [
          "- ref: 'Not A Ref'\n  version: v1.0.0\n",
          'entry 1: ref "Not A Ref" is not a valid image reference',
        ],
        ["- ref: a:b\n  version: v1.0.0\n  failBoot: maybe\n", "entry 1: failBoot must be true or false"],
        ["- ref: a:b\n  version: v1.0.0\n  failInstall: 1\n", "entry 1: failInstall must be true or false"],
        ["- ref: a:b\n  version: v1.0.0\n  boots: 2\n", 'entry 1: unknown field "boots"'],
        ["ref: a\n", "expected a YAML list of {ref, version, failBoot, failInstall}"],
        ["- [", "not valid YAML"],
      ];
      for (const [text, message] of bad) {
        fs.writeFileSync(file, text);
        expect(() => parseNodeArgs(["--state-dir", "s", "--image-catalog", file]), text).toThrow(
          `--image-catalog ${file}: ${message}`,
        );
      }
      expect(() =>
        parseNodeArgs(["--state-dir", "s", "--image-catalog", path.join(dir, "none.yaml")]),
      ).toThrow(`--image-catalog ${path.join(dir, "none.yaml")}: no such file`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(() => parseNodeArgs(["--state-dir", "s", "--downtime", "soon"])).toThrow(
      '--downtime "soon": expected a duration such as 2s or 500ms',
    );
    expect(() => parseNodeArgs(["--state-dir", "s", "--downtime", "-1s"])).toThrow(
      '--downtime "-1s": expected a duration such as 2s or 500ms',
    );
  });

  it("splits listen addresses", () => {
    expect(parseListen("127.0.0.1:50000")).toEqual({ host: "127.0.0.1", port: 50000 });
    expect(parseListen("localhost:1")).toEqual({ host: "localhost", port: 1 });
    expect(() => parseListen("::1:5")).toThrow();
  });

  it("reads --emulate and --cidr into node addresses from .2", () => {
    const o = options(["--state-dir", "s", "--emulate", "3", "--cidr", "127.0.10.77/24", "--port", "50010"]);
    expect(o.emulate).toEqual({
      count: 3,
      cidr: "127.0.10.77/24",
      addresses: ["127.0.10.2", "127.0.10.3", "127.0.10.4"],
    });
    expect(o).toMatchObject({ host: "127.0.10.2", port: 50010 });
    expect(options(["--state-dir", "s", "--emulate", "1", "--cidr", "10.0.0.0/8"]).port).toBe(50000);
    const wide = options(["--state-dir", "s", "--emulate", "300", "--cidr", "127.1.0.0/16"]).emulate;
    expect(wide?.addresses.at(-1)).toBe("127.1.1.45");
    expect(options(["--state-dir", "s", "--emulate", "5", "--cidr", "127.0.0.0/29"]).emulate?.count).toBe(5);
  });

  it("gives each emulated node its hostname from --hostnames, in address order", () => {
    const o = options([
      "--state-dir",
      "s",
      "--emulate",
      "2",
      "--cidr",
      "127.0.10.0/24",
      "--hostnames",
      "cp-1,W-1",
    ]);
    expect(o.emulate?.hostnames).toEqual(["cp-1", "w-1"]);
    expect(emulatedNodeOptions(o, "127.0.10.3")).toMatchObject({
      host: "127.0.10.3",
      hostname: "w-1",
      stateDir: path.join("s", "127.0.10.3"),
    });
    expect(emulatedNodeOptions(o, "127.0.10.3")).not.toHaveProperty("emulate");
  });

  it("names the flag in every --emulate error", () => {
    const s = ["--state-dir", "s"];
    const cases: [string[], string][] = [
      [[...s, "--emulate", "0", "--cidr", "127.0.10.0/24"], '--emulate "0": expected a number of nodes'],
      [[...s, "--emulate", "two", "--cidr", "127.0.10.0/24"], '--emulate "two": expected a number of nodes'],
      [[...s, "--emulate", "2"], "--emulate needs --cidr, e.g. --cidr 127.0.10.0/24"],
      [[...s, "--cidr", "127.0.10.0/24"], "--cidr is only used with --emulate"],
      [[...s, "--port", "50000"], "--port is only used with --emulate"],
      [[...s, "--emulate", "2", "--cidr", "127.0.10.0"], '--cidr "127.0.10.0": expected an IPv4 network'],
      [[...s, "--emulate", "2", "--cidr", "127.0.300.0/24"], '--cidr "127.0.300.0/24": expected an IPv4'],
      [[...s, "--emulate", "2", "--cidr", "127.0.0.0/31"], '--cidr "127.0.0.0/31": expected an IPv4'],
      [
        [...s, "--emulate", "6", "--cidr", "127.0.0.0/29"],
        "--cidr 127.0.0.0/29 has room for 5 nodes (from .2), not 6",
      ],
      [
        [...s, "--emulate", "2", "--cidr", "127.0.10.0/24", "--listen", "127.0.0.1:0"],
        "--listen cannot be used with --emulate",
      ],
      [
        [...s, "--emulate", "2", "--cidr", "127.0.10.0/24", "--hostname", "a"],
        "--hostname cannot be used with --emulate",
      ],
      [
        [...s, "--emulate", "2", "--cidr", "127.0.10.0/24", "--port", "70000"],
        '--port "70000": expected a port',
      ],
      [[...s, "--hostnames", "a"], "--hostnames is only used with --emulate"],
      [
        [...s, "--emulate", "2", "--cidr", "127.0.10.0/24", "--hostnames", "a"],
        "--hostnames: expected 2 hostnames (one per emulated node), got 1",
      ],
      [
        [...s, "--emulate", "2", "--cidr", "127.0.10.0/24", "--hostnames", "a,-b"],
        '--hostnames: "-b" is not a valid hostname',
      ],
      [
        [...s, "--emulate", "2", "--cidr", "127.0.10.0/24", "--hostnames", "a,A"],
        '--hostnames: "a" was given more than once',
      ],
      [[...s, "--processes", "2"], "--processes is only used with --emulate"],
      [
        [...s, "--emulate", "2", "--cidr", "127.0.10.0/24", "--processes", "3"],
        '--processes "3": expected a number of processes in [1, 2] (at most one per node)',
      ],
      [
        [...s, "--emulate", "2", "--cidr", "127.0.10.0/24", "--processes", "0"],
        '--processes "0": expected a number of processes in [1, 2]',
      ],
      [
        [...s, "--emulate", "4", "--cidr", "127.0.10.0/24", "--emulate-shard", "2/2"],
        '--emulate-shard "2/2": expected INDEX/COUNT, e.g. 1/2',
      ],
    ];
    for (const [argv, message] of cases) expect(() => parseNodeArgs(argv), argv.join(" ")).toThrow(message);
  });
});

describe("emulation spread over processes", () => {
  const spec = (count: number, extra: string[] = []) =>
    options(["--state-dir", "s", "--emulate", String(count), "--cidr", "127.1.0.0/16", ...extra]).emulate!;

  it("uses one process per core above the threshold, as --processes says otherwise", () => {
    expect(processCount(spec(64), 8)).toBe(1);
    expect(processCount(spec(65), 8)).toBe(8);
    expect(processCount(spec(1000), 2)).toBe(2);
    expect(processCount(spec(10, ["--processes", "3"]), 2)).toBe(3);
    expect(processCount(spec(1000, ["--processes", "1"]), 8)).toBe(1);
    expect(processCount(spec(10, ["--emulate-shard", "1/4"]), 2)).toBe(4);
  });

  it("gives each process a contiguous share of the addresses, every address once", () => {
    const addresses = spec(10).addresses;
    const shares = [0, 1, 2].map((i) => shardAddresses(addresses, i, 3));
    expect(shares.map((s) => s.length)).toEqual([3, 3, 4]);
    expect(shares.flat()).toEqual(addresses);
    expect(shares[0]![0]).toBe("127.1.0.2");
  });
});
