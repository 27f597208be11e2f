// DebugService.ContainerRun (siderolabs/talos: internal/app/debug): a bidirectional stream that
// runs a debug container from an image already in containerd. The first message is the spec;
// then stdin bytes, signals and terminal sizes go in, the container's output comes out (stdout
// and stderr together, 512 bytes at most a message), and last its exit code. The container
// shares the host's PID and network namespaces and sees the host's root at /host; it runs in
// its own cgroup under system/debug while it lives.
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { create } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import {
  type DebugContainerRunRequest,
  DebugContainerRunRequestSpec_Profile,
  DebugContainerRunResponseSchema,
  DebugService,
} from "../../gen/machine/debug_pb.js";
import { StatusError } from "../errors.js";
import { addCgroup, KERNEL_VERSION, type Machine } from "../machine/index.js";
import { DebugShell, type ShellEntry, type ShellHost } from "../platform/debug-shell.js";
import { contentBytes, PathError, preferredAddress } from "../platform/index.js";
import { formatMac, machineLinks } from "../platform/network/index.js";
import { bidiStream, type HandlerEntry, invalidArgument, type NodeRuntime } from "./define.js";
import { instanceStore } from "./images.js";

/** Bytes of output one message carries (Talos's send loop reads 512 at a time). */
export const DEBUG_OUTPUT_CHUNK = 512;

/** The profile as Go prints the enum: its proto name, or the number when it has none. */
function profileName(profile: number): string {
  const name = DebugContainerRunRequestSpec_Profile[profile];
  return name === undefined ? String(profile) : `PROFILE_${name}`;
}

function errnoOf(err: unknown): string {
  if (err instanceof PathError) return err.code;
  return (err as NodeJS.ErrnoException).code ?? "EIO";
}

/** The machine as the debug container's shell sees it. */
function shellHost(m: Machine): ShellHost {
  const rootfs = m.rootfs;
  const entry = (components: readonly string[], name?: string): ShellEntry => {
    const e = rootfs.entryAt(components);
    return {
      name: name ?? e.name,
      kind: e.kind,
      size: e.size,
      perm: e.perm,
      mtime: e.mtime,
      ...(e.link !== undefined ? { link: e.link } : {}),
    };
  };
  return {
    hostname: () => m.hostname,
    now: () => m.now(),
    kernelRelease: () => KERNEL_VERSION,
    readFile(p) {
      try {
        const components = rootfs.resolve(p, { follow: true, op: "open" });
        const e = rootfs.entryAt(components);
        if (e.kind === "dir") return { error: "EISDIR" };
        if (e.live) return contentBytes(e.live);
        return fs.readFileSync(path.join(rootfs.dir, ...components));
      } catch (err) {
        return { error: errnoOf(err) };
      }
    },
    listDir(p) {
      try {
        const components = rootfs.resolve(p, { follow: true, op: "open" });
        const self = entry(components);
        if (self.kind !== "dir") return { error: "ENOTDIR", entry: self };
        return rootfs.children(components).map((name) => entry([...components, name], name));
      } catch (err) {
        return { error: errnoOf(err) };
      }
    },
    processes: () =>
      m.workloads.processes().map((p) => ({
        pid: p.pid,
        cpuSeconds: p.cpuTime,
        command: p.args !== "" ? p.args : p.command,
      })),
    interfaces() {
      const links = machineLinks(m.stateDir.identity().uuid);
      const eth = links.find((l) => l.name === "eth0")!;
      const address = preferredAddress(m.addresses);
      return [
        {
          name: "lo",
          index: 1,
          mtu: 65536,
          mac: "00:00:00:00:00:00",
          loopback: true,
          addresses: [
            { ip: "127.0.0.1", prefix: 8 },
            { ip: "::1", prefix: 128 },
          ],
        },
        {
          name: "eth0",
          index: 2,
          mtu: eth.mtu,
          mac: formatMac(eth.mac),
          loopback: false,
          addresses: address.startsWith("127.")
            ? []
            : [{ ip: address, prefix: address.includes(":") ? 64 : 24 }],
        },
      ];
    },
  };
}

export function debugHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    bidiStream(DebugService.method.containerRun, async (requests, caller, send) => {
      const m = rt.machine;
      const iterator = requests[Symbol.asyncIterator]();
      let first: IteratorResult<DebugContainerRunRequest>;
      try {
        first = await iterator.next();
      } catch (err) {
        throw invalidArgument(`failed to receive spec: ${(err as Error).message}`);
      }
      if (first.done) throw invalidArgument("failed to receive spec: EOF");
      const request = first.value.request;
      if (request.case !== "spec") throw invalidArgument("expected debug container spec");
      const spec = request.value;
      if (
        spec.profile !== DebugContainerRunRequestSpec_Profile.PRIVILEGED &&
        spec.profile !== DebugContainerRunRequestSpec_Profile.HOST_NS
      ) {
        throw invalidArgument(`unsupported debug container profile: ${profileName(spec.profile)}`);
      }
      m.log(
        `debug container request received: image=${spec.imageName} arg_count=${spec.args.length} env_count=${Object.keys(spec.env).length} profile=${profileName(spec.profile)}`,
      );
      const store = instanceStore(spec.containerd);
      if (!rt.images.has(store, spec.imageName)) {
        throw new StatusError(
          grpc.status.NOT_FOUND,
          `image ${spec.imageName} not found: image ${JSON.stringify(spec.imageName)}: not found`,
        );
      }
      const id = randomBytes(8).toString("hex");
      const removeCgroup = addCgroup(m, `system/debug/${id}`);
      m.log(`debug: container ${id} created`);
      // Output is sent in order, one message after the other.
      let sending: Promise<void> = Promise.resolve();
      let exitCode: number | undefined;
      let exited!: () => void;
      const exitedPromise = new Promise<void>((resolve) => {
        exited = resolve;
      });
      const shell = new DebugShell({
        host: shellHost(m),
        args: spec.args,
        env: spec.env,
        tty: spec.tty,
        write: (bytes) => {
          for (let i = 0; i < bytes.length; i += DEBUG_OUTPUT_CHUNK) {
            const chunk = bytes.subarray(i, i + DEBUG_OUTPUT_CHUNK);
            sending = sending.then(() =>
              send(create(DebugContainerRunResponseSchema, { resp: { case: "stdoutData", value: chunk } })),
            );
          }
        },
        exit: (code) => {
          exitCode = code;
          exited();
        },
      });
      const inputs = (async () => {
        for (;;) {
          const next = await iterator.next();
          if (next.done) break;
          const r = next.value.request;
          switch (r.case) {
            case "stdinData":
              shell.input(r.value);
              break;
            case "signal":
              m.log(`debug container: received signal ${r.value}, forwarding to task`);
              shell.signal(r.value);
              break;
            case "termResize":
              shell.resize(r.value.width, r.value.height);
              break;
            default:
              throw new Error(`error processing input message: unknown request type: ${r.case ?? "nil"}`);
          }
        }
        shell.endOfInput();
      })();
      // A receive error ends the session; a client that closed its side just stops sending.
      const inputFailed = inputs.then(
        () => new Promise<never>(() => undefined),
        (err: unknown) => {
          throw new StatusError(
            grpc.status.UNKNOWN,
            `debug container: receive loop error: ${(err as Error).message}`,
          );
        },
      );
      const aborted = new Promise<never>((_, reject) => {
        caller.signal.addEventListener("abort", () => reject(caller.signal.reason), { once: true });
      });
      // Either may settle after the session has ended (the call closing): nobody waits then.
      inputFailed.catch(() => undefined);
      aborted.catch(() => undefined);
      try {
        shell.start();
        await Promise.race([exitedPromise, inputFailed, aborted]);
        await sending;
        await send(
          create(DebugContainerRunResponseSchema, { resp: { case: "exitCode", value: exitCode ?? 0 } }),
        );
      } finally {
        removeCgroup();
        m.log(`debug: container ${id} deleted`);
      }
    }),
  ];
}
