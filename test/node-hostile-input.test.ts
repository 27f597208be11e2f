// What a stranger can send a talos-node in maintenance mode (no certificate needed), against one
// node that reports Talos v1.13.0: a huge hostile config, a dry run with a huge diff, documents
// its version does not know, and malformed gRPC message framing.
import fs from "node:fs";
import http2 from "node:http2";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ApplyConfigurationRequestSchema,
  ApplyConfigurationResponseSchema,
  ApplyConfigurationRequest_Mode as Mode,
} from "../src/gen/machine/machine_pb.js";
import { insecureClient, makeCluster, type StartedNode, startNode, unaryCall } from "./helpers/node.js";

const APPLY = "/machine.MachineService/ApplyConfiguration";
const VERSION = "/machine.MachineService/Version";
const TALOS_VERSION = "v1.13.0";

let node: StartedNode;
let applier: grpc.Client;
let prober: grpc.Client;
let config: string;

function applyBody(data: string | Uint8Array, dryRun = false): Uint8Array {
  return toBinary(
    ApplyConfigurationRequestSchema,
    create(ApplyConfigurationRequestSchema, {
      data: typeof data === "string" ? Buffer.from(data) : data,
      mode: Mode.NO_REBOOT,
      dryRun,
    }),
  );
}

async function applyError(data: string | Uint8Array, timeoutMs = 15_000): Promise<grpc.ServiceError> {
  try {
    await unaryCall(applier, APPLY, applyBody(data), { timeoutMs });
  } catch (err) {
    return err as grpc.ServiceError;
  }
  throw new Error("expected the apply to fail");
}

async function timedVersion(): Promise<number> {
  const started = performance.now();
  await unaryCall(prober, VERSION, new Uint8Array(), { timeoutMs: 120_000 });
  return performance.now() - started;
}

function status(pid: number, field: "VmHWM" | "VmRSS"): number {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
  if (m === null) throw new Error(`no ${field} in /proc/${pid}/status`);
  return Number(m[1]);
}

beforeAll(async () => {
  node = await startNode({ args: ["--talos-version", TALOS_VERSION] });
  config = (await makeCluster("hostile-input", TALOS_VERSION)).controlplane;
  // Two channels: the prober's calls never queue behind the applier's on one connection.
  applier = insecureClient(node.address);
  prober = insecureClient(node.address);
});

afterAll(async () => {
  applier?.close();
  prober?.close();
  await node?.stop();
});

describe("a talos-node under hostile input", () => {
  it("answers Version on another connection while a 10 MiB hostile config is rejected", async () => {
    // One mapping of many unknown keys: quadratic for a duplicate check that compares each key
    // with every earlier one, and it all ran on the node's only thread.
    const parts = ["version: v1alpha1\nmachine:\n    bogus:\n"];
    let size = parts[0]!.length;
    for (let i = 0; size < 10 * 1024 * 1024; i++) {
      const line = `        k${String(i).padStart(9, "0")}: v\n`;
      parts.push(line);
      size += line.length;
    }
    const hostile = Buffer.from(parts.join(""));

    // The bound is 200 ms over the slowest of 30 idle calls measured now: on an idle machine that
    // is about 200 ms; on a loaded one the scheduler's own delays (which also hit idle calls) do
    // not fail the test, while a blocked event loop (seconds to minutes) still does.
    const idle: number[] = [];
    for (let i = 0; i < 30; i++) idle.push(await timedVersion());
    const bound = 200 + Math.max(...idle);

    let settled = false;
    const rejected = applyError(hostile, 300_000).finally(() => {
      settled = true;
    });
    const during: number[] = [];
    while (!settled) during.push(await timedVersion());
    const err = await rejected;

    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toMatch(/config is too complex: more than \d+ YAML tokens/);
    // While the node worked on the config it kept answering, and promptly.
    expect(during.length).toBeGreaterThanOrEqual(5);
    expect(
      Math.max(...during),
      `idle: ${idle.map(Math.round)}; during: ${during.map(Math.round)}`,
    ).toBeLessThan(bound);
  });

  it("diffs a dry run with a 20,000-line file without eating memory", async () => {
    const content = Array.from({ length: 20_000 }, (_, i) => `            line ${i} of the file`).join("\n");
    const big = config.replace(
      "\nmachine:\n",
      `\nmachine:\n    files:\n        - content: |\n${content}\n          permissions: 420\n          path: /var/etc/big.conf\n          op: create\n`,
    );
    // The peak RSS is reset so that only this call's peak counts.
    fs.writeFileSync(`/proc/${node.child.pid}/clear_refs`, "5");
    const before = status(node.child.pid!, "VmHWM");
    const reply = fromBinary(
      ApplyConfigurationResponseSchema,
      await unaryCall(applier, APPLY, applyBody(big, true), { timeoutMs: 120_000 }),
    ).messages[0]!;
    const peakGrowthMiB = (status(node.child.pid!, "VmHWM") - before) / 1024;

    expect(reply.modeDetails).toMatch(
      /^Dry run summary:\nApplied configuration without a reboot \(skipped in dry-run\)\.\nConfig diff:\n\n--- a\n\+\+\+ b\n@@ -0,0 \+1,\d+ @@\n/,
    );
    expect(reply.modeDetails).toContain("\n+            line 19999 of the file\n");
    // The node held the whole diff in a few tens of MiB (it needed over 1.5 GiB before).
    expect(peakGrowthMiB).toBeLessThan(400);
    // A dry run changes nothing: the node is still in maintenance.
    expect(node.mode()).toBe("maintenance");
  });

  it("refuses a document kind its Talos version does not have, and accepts one it has", async () => {
    const sysctls = 'apiVersion: v1alpha1\nkind: SysctlConfig\nsysctls:\n    net.core.somaxconn: "512"\n';
    const err = await applyError(sysctls);
    expect(err.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(err.details).toBe(
      'document SysctlConfig: kind (line 2:1): unknown document kind "SysctlConfig" (apiVersion v1alpha1)',
    );
    const hostname = "apiVersion: v1alpha1\nkind: HostnameConfig\nhostname: early\n";
    const reply = fromBinary(
      ApplyConfigurationResponseSchema,
      await unaryCall(applier, APPLY, applyBody(hostname, true)),
    ).messages[0]!;
    expect(reply.modeDetails).toContain("+kind: HostnameConfig\n");
  });

  it("answers INTERNAL, as grpc-go does, to a message with a bad compressed flag, on that call only", async () => {
    const session = http2.connect(`https://${node.address}`, { rejectUnauthorized: false });
    try {
      // The flag byte, then the length; Version's request is empty.
      const call = (flag: number, headers: Record<string, string> = {}) =>
        rawCall(session, VERSION, Buffer.from([flag, 0, 0, 0, 0]), headers);
      expect(await call(1)).toEqual({
        status: "13",
        message: "grpc: compressed flag set with identity or empty encoding",
      });
      expect(await call(1, { "grpc-encoding": "identity" })).toEqual({
        status: "13",
        message: "grpc: compressed flag set with identity or empty encoding",
      });
      expect(await call(2)).toEqual({ status: "13", message: "grpc: received unexpected payload format 2" });
      expect(await call(0x80)).toEqual({
        status: "13",
        message: "grpc: received unexpected payload format 128",
      });
      // The connection still serves well-formed calls.
      expect((await call(0)).status).toBe("0");
    } finally {
      session.close();
    }
  });
});

/** One gRPC call on a raw HTTP/2 session; resolves with the trailers' status and message. */
function rawCall(
  session: http2.ClientHttp2Session,
  path: string,
  frame: Buffer,
  headers: Record<string, string>,
): Promise<{ status: string; message: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc",
      te: "trailers",
      ...headers,
    });
    let response: http2.IncomingHttpHeaders = {};
    stream.on("response", (h) => {
      response = h;
    });
    stream.on("trailers", (t) => {
      resolve({
        status: String(t["grpc-status"] ?? response["grpc-status"] ?? ""),
        message: decodeURIComponent(String(t["grpc-message"] ?? response["grpc-message"] ?? "")),
      });
    });
    stream.on("end", () => {
      // A trailers-only answer carries the status in the headers.
      if (response["grpc-status"] !== undefined) {
        resolve({
          status: String(response["grpc-status"]),
          message: decodeURIComponent(String(response["grpc-message"] ?? "")),
        });
      }
    });
    stream.on("error", reject);
    stream.resume();
    stream.end(frame);
  });
}
