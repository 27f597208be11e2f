// The process a debug container runs on the emulated node: a small POSIX-like shell in the
// manner of busybox's ash, in a container that shares the host's PID and network namespaces and
// mounts the host's root at /host (with /proc and /sys from the host). It reads its terminal (or
// piped stdin) and writes what it prints; with a terminal it echoes what is typed, edits the
// line, shows a prompt and ends lines with CRLF as a tty does.
//
// Commands: echo, ls [-l] [-a], cat, ps, ip a, hostname, uname [-a], pwd, cd, env, id, stty size,
// date, true, false, sleep, exit [N]; `;`, `&&` and `||` join commands, quotes and $VAR and $?
// expand. Anything else is not found (status 127).

/** An entry of a directory listing. */
export interface ShellEntry {
  readonly name: string;
  readonly kind: "file" | "dir" | "symlink" | "other";
  readonly size: number;
  readonly perm: number;
  readonly mtime: Date;
  readonly link?: string;
}

export interface ShellInterface {
  readonly name: string;
  readonly index: number;
  readonly mtu: number;
  readonly mac: string;
  readonly loopback: boolean;
  readonly addresses: readonly { readonly ip: string; readonly prefix: number }[];
}

/** What the shell sees of the host. */
export interface ShellHost {
  hostname(): string;
  /** The host file's bytes, or an error naming why it cannot be read (`ENOENT`, `EISDIR`...). */
  readFile(path: string): Uint8Array | { readonly error: string };
  /** The host directory's entries (or the entry itself for a file), or an error code. */
  listDir(path: string): ShellEntry[] | { readonly error: string; readonly entry?: ShellEntry };
  processes(): readonly { readonly pid: number; readonly cpuSeconds: number; readonly command: string }[];
  interfaces(): readonly ShellInterface[];
  now(): Date;
  kernelRelease(): string;
}

export interface ShellOptions {
  readonly host: ShellHost;
  /** The container's command line (the image's /bin/sh when empty). */
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly tty: boolean;
  readonly write: (bytes: Uint8Array) => void;
  readonly exit: (code: number) => void;
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: "No such file or directory",
  ENOTDIR: "Not a directory",
  EISDIR: "Is a directory",
  EACCES: "Permission denied",
  ELOOP: "Symbolic link loop",
};

/** The image's own root (an Alpine-like tools image): directories and a few files. */
const IMAGE_DIRS = [
  "bin",
  "dev",
  "etc",
  "home",
  "host",
  "lib",
  "media",
  "mnt",
  "opt",
  "proc",
  "root",
  "run",
  "sbin",
  "srv",
  "sys",
  "tmp",
  "usr",
  "var",
];
const IMAGE_FILES: Readonly<Record<string, string>> = {
  "/etc/os-release":
    'NAME="Alpine Linux"\nID=alpine\nVERSION_ID=3.23.0\nPRETTY_NAME="Alpine Linux v3.23"\nHOME_URL="https://alpinelinux.org/"\n',
  "/etc/alpine-release": "3.23.0\n",
  "/etc/passwd": "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/sbin/nologin\n",
  "/etc/group": "root:x:0:root\nnobody:x:65534:\n",
  "/etc/shells": "/bin/sh\n/bin/ash\n",
};
const APPLETS = [
  "sh",
  "ash",
  "ls",
  "cat",
  "ps",
  "ip",
  "echo",
  "hostname",
  "uname",
  "env",
  "id",
  "stty",
  "date",
  "sleep",
  "true",
  "false",
];

function normalize(path: string, cwd: string): string {
  const parts: string[] = [];
  for (const p of (path.startsWith("/") ? path : `${cwd}/${path}`).split("/")) {
    if (p === "" || p === ".") continue;
    if (p === "..") parts.pop();
    else parts.push(p);
  }
  return `/${parts.join("/")}`;
}

/** A container path on the host: /host/..., or /proc and /sys (bound from the host). */
function hostPath(path: string): string | undefined {
  if (path === "/host") return "/";
  if (path.startsWith("/host/")) return path.slice(5);
  if (path === "/proc" || path.startsWith("/proc/") || path === "/sys" || path.startsWith("/sys/"))
    return path;
  if (path === "/etc/hosts" || path === "/etc/resolv.conf") return path;
  return undefined;
}

function modeString(e: ShellEntry): string {
  const type = e.kind === "dir" ? "d" : e.kind === "symlink" ? "l" : "-";
  const bits = "rwxrwxrwx";
  let s = "";
  for (let i = 0; i < 9; i++) s += e.perm & (1 << (8 - i)) ? bits[i] : "-";
  return type + s;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function lsDate(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, "0");
  return `${MONTHS[d.getUTCMonth()]} ${String(d.getUTCDate()).padStart(2, " ")} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}`;
}

interface Word {
  readonly text: string;
}

/** Splits a command line into commands joined by ; && ||, with quoting and expansion. */
function parseLine(
  line: string,
  vars: (name: string) => string,
): { words: string[]; join: ";" | "&&" | "||" }[] | string {
  const out: { words: string[]; join: ";" | "&&" | "||" }[] = [];
  let words: Word[] = [];
  let cur: string | undefined;
  let i = 0;
  const push = (): void => {
    if (cur !== undefined) words.push({ text: cur });
    cur = undefined;
  };
  const end = (join: ";" | "&&" | "||"): void => {
    push();
    if (words.length > 0) out.push({ words: words.map((w) => w.text), join });
    words = [];
  };
  const expand = (): string => {
    if (line[i + 1] === "?") {
      i += 2;
      return vars("?");
    }
    const m = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/.exec(line.slice(i));
    if (!m) {
      i++;
      return "$";
    }
    i += m[0].length;
    return vars(m[1]!);
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === "#" && cur === undefined) break;
    if (c === " " || c === "\t") {
      push();
      i++;
    } else if (c === ";") {
      end(";");
      i++;
    } else if (c === "&" && line[i + 1] === "&") {
      end("&&");
      i += 2;
    } else if (c === "|" && line[i + 1] === "|") {
      end("||");
      i += 2;
    } else if (c === "|" || c === ">" || c === "<" || c === "&" || c === "`") {
      return `syntax error: ${JSON.stringify(c)} is not supported by this shell`;
    } else if (c === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) return "syntax error: unterminated quoted string";
      cur = (cur ?? "") + line.slice(i + 1, close);
      i = close + 1;
    } else if (c === '"') {
      let j = i + 1;
      let text = "";
      while (j < line.length && line[j] !== '"') {
        if (line[j] === "\\" && j + 1 < line.length && '"\\$'.includes(line[j + 1]!)) {
          text += line[j + 1];
          j += 2;
        } else if (line[j] === "$") {
          const save = i;
          i = j;
          text += expand();
          j = i;
          i = save;
        } else text += line[j++];
      }
      if (j >= line.length) return "syntax error: unterminated quoted string";
      cur = (cur ?? "") + text;
      i = j + 1;
    } else if (c === "\\" && i + 1 < line.length) {
      cur = (cur ?? "") + line[i + 1];
      i += 2;
    } else if (c === "$") {
      cur = (cur ?? "") + expand();
    } else {
      cur = (cur ?? "") + c;
      i++;
    }
  }
  end(";");
  return out;
}

export class DebugShell {
  private cwd = "/";
  private status = 0;
  private line = "";
  private exited = false;
  private columns = 80;
  private rows = 24;
  private readonly vars: Map<string, string>;
  /** Lines of piped stdin not ended by a newline yet. */
  private pending = "";
  private readonly interactive: boolean;

  constructor(private readonly o: ShellOptions) {
    this.vars = new Map(
      Object.entries({
        PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        HOME: "/root",
        TERM: o.tty ? "xterm" : "",
        HOSTNAME: o.host.hostname(),
        ...o.env,
      }).filter(([, v]) => v !== ""),
    );
    const program = (o.args[0] ?? "/bin/sh").split("/").pop()!;
    const isShell = program === "sh" || program === "ash";
    this.interactive = isShell && !o.args.includes("-c");
  }

  /** Starts the container's process: a shell waits for input, anything else runs and exits. */
  start(): void {
    const [program = "/bin/sh", ...rest] = this.o.args;
    const name = program.split("/").pop()!;
    if (name === "sh" || name === "ash") {
      const c = rest.indexOf("-c");
      if (c >= 0) {
        this.runLine(rest[c + 1] ?? "");
        this.finish(this.status);
        return;
      }
      if (this.o.tty) this.prompt();
      return;
    }
    this.status = this.run([name, ...rest]);
    this.finish(this.status);
  }

  /** Bytes from the terminal or the pipe. */
  input(data: Uint8Array): void {
    if (this.exited || !this.interactive) return;
    const text = Buffer.from(data).toString("utf8");
    if (!this.o.tty) {
      this.pending += text;
      let nl = this.pending.indexOf("\n");
      while (nl >= 0 && !this.exited) {
        const line = this.pending.slice(0, nl);
        this.pending = this.pending.slice(nl + 1);
        this.runLine(line);
        nl = this.pending.indexOf("\n");
      }
      return;
    }
    for (const ch of text) {
      if (this.exited) return;
      if (ch === "\r" || ch === "\n") {
        this.out("\n");
        const line = this.line;
        this.line = "";
        this.runLine(line);
        if (!this.exited) this.prompt();
      } else if (ch === "\x7f" || ch === "\b") {
        if (this.line.length > 0) {
          this.line = [...this.line].slice(0, -1).join("");
          this.raw("\b \b");
        }
      } else if (ch === "\x03") {
        this.interrupt();
      } else if (ch === "\x04") {
        if (this.line === "") {
          this.out("\n");
          this.finish(this.status);
        }
      } else if (ch === "\x15") {
        this.raw("\b \b".repeat([...this.line].length));
        this.line = "";
      } else if (ch >= " ") {
        this.line += ch;
        this.raw(ch);
      }
    }
  }

  /** stdin was closed: the shell reads end of file. */
  endOfInput(): void {
    if (this.exited) return;
    if (this.pending !== "") {
      const last = this.pending;
      this.pending = "";
      this.runLine(last);
    }
    if (!this.exited && this.interactive) this.finish(this.status);
  }

  /** A signal sent to the container's process. */
  signal(signo: number): void {
    if (this.exited) return;
    const SIGHUP = 1;
    const SIGINT = 2;
    const SIGKILL = 9;
    // An interactive shell on a terminal ignores SIGINT (it cancels the line), SIGTERM and SIGQUIT.
    if (this.interactive && this.o.tty && signo !== SIGHUP && signo !== SIGKILL) {
      if (signo === SIGINT) this.interrupt();
      return;
    }
    this.finish(128 + signo);
  }

  resize(columns: number, rows: number): void {
    if (columns > 0) this.columns = columns;
    if (rows > 0) this.rows = rows;
  }

  get done(): boolean {
    return this.exited;
  }

  private interrupt(): void {
    this.out("^C\n");
    this.line = "";
    this.status = 130;
    this.prompt();
  }

  private prompt(): void {
    this.raw(`${this.cwd === "/root" ? "~" : this.cwd} # `);
  }

  private finish(code: number): void {
    if (this.exited) return;
    this.exited = true;
    this.o.exit(code);
  }

  private raw(text: string): void {
    this.o.write(Buffer.from(text, "utf8"));
  }

  /** Program output: a terminal turns each newline into CRLF. */
  private out(text: string): void {
    this.raw(this.o.tty ? text.replace(/\r?\n/g, "\r\n") : text);
  }

  private runLine(line: string): void {
    const parsed = parseLine(line, (name) =>
      name === "?" ? String(this.status) : (this.vars.get(name) ?? ""),
    );
    if (typeof parsed === "string") {
      this.out(`sh: ${parsed}\n`);
      this.status = 2;
      return;
    }
    let previous: ";" | "&&" | "||" = ";";
    for (const cmd of parsed) {
      if (this.exited) return;
      const skip = (previous === "&&" && this.status !== 0) || (previous === "||" && this.status === 0);
      previous = cmd.join;
      if (skip) continue;
      this.status = this.run(cmd.words);
    }
  }

  /** Lists a container path: the host's below /host, /proc and /sys, the image's elsewhere. */
  private list(path: string): ShellEntry[] | { error: string; entry?: ShellEntry } {
    const host = hostPath(path);
    if (host !== undefined) return this.o.host.listDir(host);
    const epoch = new Date(Date.UTC(2025, 0, 1));
    const dir = (name: string): ShellEntry => ({ name, kind: "dir", size: 4096, perm: 0o755, mtime: epoch });
    if (path === "/") return IMAGE_DIRS.map(dir);
    if (IMAGE_FILES[path] !== undefined) {
      const name = path.split("/").pop()!;
      return {
        error: "ENOTDIR",
        entry: { name, kind: "file", size: IMAGE_FILES[path].length, perm: 0o644, mtime: epoch },
      };
    }
    if (path === "/etc") {
      return Object.keys(IMAGE_FILES)
        .filter((f) => f.startsWith("/etc/"))
        .map(
          (f): ShellEntry => ({
            name: f.slice(5),
            kind: "file",
            size: IMAGE_FILES[f]!.length,
            perm: 0o644,
            mtime: epoch,
          }),
        )
        .concat([dir("apk"), dir("ssl")])
        .sort((a, b) => (a.name < b.name ? -1 : 1));
    }
    if (path === "/bin" || path === "/sbin") {
      return APPLETS.map((a) => ({
        name: a,
        kind: "symlink" as const,
        size: 12,
        perm: 0o777,
        mtime: epoch,
        link: "/bin/busybox",
      }));
    }
    if (IMAGE_DIRS.includes(path.slice(1))) return [];
    return { error: "ENOENT" };
  }

  private read(path: string): Uint8Array | { error: string } {
    const host = hostPath(path);
    if (host !== undefined) return this.o.host.readFile(host);
    const file = IMAGE_FILES[path];
    if (file !== undefined) return Buffer.from(file);
    if (path === "/etc/hostname") return Buffer.from(`${this.o.host.hostname()}\n`);
    if (path === "/" || IMAGE_DIRS.includes(path.slice(1)) || path === "/etc") return { error: "EISDIR" };
    return { error: "ENOENT" };
  }

  private run(words: readonly string[]): number {
    const [cmd0, ...args] = words;
    if (cmd0 === undefined) return this.status;
    const cmd = cmd0.includes("/") ? cmd0.split("/").pop()! : cmd0;
    const assign = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(cmd0);
    if (assign && args.length === 0) {
      this.vars.set(assign[1]!, assign[2]!);
      return 0;
    }
    switch (cmd) {
      case "exit": {
        const code = args[0] === undefined ? this.status : Number.parseInt(args[0], 10);
        if (Number.isNaN(code)) {
          this.out(`sh: exit: Illegal number: ${args[0]}\n`);
          this.finish(2);
          return 2;
        }
        this.finish(((code % 256) + 256) % 256);
        return code;
      }
      case "echo": {
        const noNewline = args[0] === "-n";
        this.out(`${(noNewline ? args.slice(1) : args).join(" ")}${noNewline ? "" : "\n"}`);
        return 0;
      }
      case "true":
        return 0;
      case "false":
        return 1;
      case "pwd":
        this.out(`${this.cwd}\n`);
        return 0;
      case "cd": {
        const target = normalize(args[0] ?? "/root", this.cwd);
        const listing = this.list(target);
        if (!Array.isArray(listing)) {
          this.out(
            `sh: cd: can't cd to ${args[0] ?? "/root"}: ${ERRNO_TEXT[listing.error] ?? listing.error}\n`,
          );
          return 2;
        }
        this.cwd = target;
        return 0;
      }
      case "hostname":
        this.out(`${this.o.host.hostname()}\n`);
        return 0;
      case "uname":
        this.out(
          args.includes("-a")
            ? `Linux ${this.o.host.hostname()} ${this.o.host.kernelRelease()} #1 SMP x86_64 Linux\n`
            : args.includes("-r")
              ? `${this.o.host.kernelRelease()}\n`
              : "Linux\n",
        );
        return 0;
      case "id":
        this.out("uid=0(root) gid=0(root) groups=0(root)\n");
        return 0;
      case "env":
        this.out([...this.vars].map(([k, v]) => `${k}=${v}\n`).join(""));
        return 0;
      case "date":
        this.out(`${this.o.host.now().toUTCString().replace("GMT", "UTC")}\n`);
        return 0;
      case "sleep":
        return 0;
      case "stty":
        if (args[0] === "size") {
          if (!this.o.tty) {
            this.out("stty: standard input: Not a tty\n");
            return 1;
          }
          this.out(`${this.rows} ${this.columns}\n`);
          return 0;
        }
        this.out("stty: only `stty size` is supported here\n");
        return 1;
      case "cat":
        return this.cat(args);
      case "ls":
        return this.ls(args);
      case "ps":
        return this.ps();
      case "ip":
        return this.ip(args);
      case "sh":
      case "ash":
        if (args[0] === "-c") {
          this.runLine(args[1] ?? "");
          return this.status;
        }
        this.out("sh: nested interactive shells are not supported here\n");
        return 1;
      default:
        this.out(`sh: ${cmd0}: not found\n`);
        return 127;
    }
  }

  private cat(args: readonly string[]): number {
    let status = 0;
    for (const a of args.length > 0 ? args : []) {
      const data = this.read(normalize(a, this.cwd));
      if (data instanceof Uint8Array) {
        this.out(Buffer.from(data).toString("utf8"));
        continue;
      }
      status = 1;
      this.out(
        data.error === "EISDIR"
          ? `cat: read error: Is a directory\n`
          : `cat: can't open '${a}': ${ERRNO_TEXT[data.error] ?? data.error}\n`,
      );
    }
    return status;
  }

  private ls(args: readonly string[]): number {
    const long = args.some((a) => a.startsWith("-") && a.includes("l"));
    const all = args.some((a) => a.startsWith("-") && a.includes("a"));
    const paths = args.filter((a) => !a.startsWith("-"));
    const targets = paths.length > 0 ? paths : ["."];
    let status = 0;
    const format = (entries: ShellEntry[]): string => {
      const shown = all
        ? [{ name: ".", kind: "dir", size: 4096, perm: 0o755, mtime: new Date(0) } as ShellEntry, ...entries]
        : entries.filter((e) => !e.name.startsWith("."));
      if (long) {
        return shown
          .map(
            (e) =>
              `${modeString(e)} ${String(e.kind === "dir" ? 2 : 1).padStart(4)} root     root     ${String(e.size).padStart(9)} ${lsDate(e.mtime)} ${e.name}${e.link ? ` -> ${e.link}` : ""}\n`,
          )
          .join("");
      }
      if (!this.o.tty) return shown.map((e) => `${e.name}\n`).join("");
      // Columns across the terminal's width, as ls does on a tty.
      const width = Math.max(...shown.map((e) => e.name.length), 1) + 2;
      const perLine = Math.max(1, Math.floor(this.columns / width));
      let out = "";
      shown.forEach((e, i) => {
        out += e.name.padEnd(width);
        if ((i + 1) % perLine === 0) out = `${out.trimEnd()}\n`;
      });
      return shown.length % perLine === 0 ? out : `${out.trimEnd()}\n`;
    };
    targets.forEach((t, idx) => {
      const path = normalize(t, this.cwd);
      const listing = this.list(path);
      if (!Array.isArray(listing)) {
        if (listing.entry) {
          this.out(format([{ ...listing.entry, name: t }]));
          return;
        }
        status = 1;
        this.out(`ls: ${t}: ${ERRNO_TEXT[listing.error] ?? listing.error}\n`);
        return;
      }
      if (targets.length > 1) this.out(`${idx > 0 ? "\n" : ""}${t}:\n`);
      this.out(format(listing));
    });
    return status;
  }

  private ps(): number {
    const rows = this.o.host.processes();
    let out = "PID   USER     TIME  COMMAND\n";
    for (const p of rows) {
      const minutes = Math.floor(p.cpuSeconds / 60);
      const seconds = Math.floor(p.cpuSeconds % 60);
      out += `${String(p.pid).padStart(5)} root     ${String(minutes).padStart(2)}:${String(seconds).padStart(2, "0")} ${p.command}\n`;
    }
    this.out(out);
    return 0;
  }

  private ip(args: readonly string[]): number {
    const [object = "", action = "show"] = args;
    if (!["a", "addr", "address"].includes(object) || !["show", "list", "ls"].includes(action)) {
      this.out(`ip: only "ip a" (ip address show) is supported here\n`);
      return 1;
    }
    let out = "";
    for (const i of this.o.host.interfaces()) {
      const flags = i.loopback ? "LOOPBACK,UP,LOWER_UP" : "BROADCAST,MULTICAST,UP,LOWER_UP";
      out += `${i.index}: ${i.name}: <${flags}> mtu ${i.mtu} qdisc ${i.loopback ? "noqueue" : "fq_codel"} state ${i.loopback ? "UNKNOWN" : "UP"} qlen 1000\n`;
      out += i.loopback
        ? `    link/loopback ${i.mac} brd 00:00:00:00:00:00\n`
        : `    link/ether ${i.mac} brd ff:ff:ff:ff:ff:ff\n`;
      for (const a of i.addresses) {
        const v6 = a.ip.includes(":");
        const scope = i.loopback ? "host" : "global";
        out += `    ${v6 ? "inet6" : "inet"} ${a.ip}/${a.prefix} scope ${scope}${v6 ? "" : ` ${i.name}`}\n`;
        out += "       valid_lft forever preferred_lft forever\n";
      }
    }
    this.out(out);
    return 0;
  }
}
