import { describe, expect, it } from "vitest";
import { DebugShell, type ShellHost } from "./debug-shell.js";

const host: ShellHost = {
  hostname: () => "talos-abc",
  now: () => new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
  kernelRelease: () => "6.12.0-talos",
  readFile: (p) => (p === "/etc/hostname" ? Buffer.from("talos-abc\n") : { error: "ENOENT" }),
  listDir: (p) =>
    p === "/"
      ? [
          { name: "etc", kind: "dir", size: 4096, perm: 0o755, mtime: new Date(0) },
          { name: "var", kind: "dir", size: 4096, perm: 0o755, mtime: new Date(0) },
        ]
      : { error: "ENOENT" },
  processes: () => [
    { pid: 1, cpuSeconds: 3, command: "/sbin/init" },
    { pid: 42, cpuSeconds: 1, command: "/usr/local/bin/etcd --name x" },
  ],
  interfaces: () => [
    {
      name: "lo",
      index: 1,
      mtu: 65536,
      mac: "00:00:00:00:00:00",
      loopback: true,
      addresses: [{ ip: "127.0.0.1", prefix: 8 }],
    },
  ],
};

function session(args: string[], input: string, tty = false): { out: string; code: number | undefined } {
  let out = "";
  let code: number | undefined;
  const shell = new DebugShell({
    host,
    args,
    env: {},
    tty,
    write: (b) => {
      out += Buffer.from(b).toString("utf8");
    },
    exit: (c) => {
      code = c;
    },
  });
  shell.start();
  if (input !== "") shell.input(Buffer.from(input));
  shell.endOfInput();
  return { out, code };
}

describe("DebugShell", () => {
  it("runs piped commands and exits with exit's code, ignoring what follows", () => {
    const r = session([], "ls /host\ncat /host/etc/hostname\nps\nip a\nexit 3\necho never\n");
    expect(r.code).toBe(3);
    expect(r.out).toContain("etc\nvar\ntalos-abc\n");
    expect(r.out).toMatch(/PID +USER +TIME +COMMAND\n +1 root +0:03 \/sbin\/init\n/);
    expect(r.out).toContain("inet 127.0.0.1/8 scope host lo");
    expect(r.out).not.toContain("never");
  });

  it("ends with the last status when its input ends, and says what it cannot do", () => {
    const r = session([], "cat /host/nope\nfrobnicate\n");
    expect(r.out).toBe(
      "cat: can't open '/host/nope': No such file or directory\nsh: frobnicate: not found\n",
    );
    expect(r.code).toBe(127);
  });

  it("runs a command line given as arguments without reading input", () => {
    const r = session(["/bin/sh", "-c", "echo $HOSTNAME && false || echo fallback; exit 7"], "");
    expect(r.out).toBe("talos-abc\nfallback\n");
    expect(r.code).toBe(7);
  });

  it("echoes and ends lines with CRLF on a terminal, with a prompt", () => {
    const r = session([], "echo hi\r", true);
    expect(r.out).toBe("/ # echo hi\r\nhi\r\n/ # ");
    expect(r.code).toBe(0);
  });
});
