// Shared pieces of the lifecycle tests: a configured node on a fast clock, an admin client,
// event decoding to short readable lines, a follower that collects events across reboots by
// resuming with tail_id, and small calls (Version, boot id) used before and after a reboot.
import fs from "node:fs";
import path from "node:path";
import { create, type DescMessage, fromBinary, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import type * as grpc from "@grpc/grpc-js";
import { Code, ContainerdNamespace, DataSchema } from "../../src/gen/common/common_pb.js";
import {
  ImageServicePullRequestSchema,
  ImageServicePullResponseSchema,
} from "../../src/gen/machine/image_pb.js";
import {
  LifecycleServiceUpgradeRequestSchema,
  LifecycleServiceUpgradeResponseSchema,
} from "../../src/gen/machine/lifecycle_pb.js";
import {
  type Event,
  EventSchema,
  EventsRequestSchema,
  MachineStatusEvent_MachineStage,
  MachineStatusEventSchema,
  PhaseEvent_Action,
  PhaseEventSchema,
  ReadRequestSchema,
  RestartEventSchema,
  SequenceEvent_Action,
  SequenceEventSchema,
  TaskEvent_Action,
  TaskEventSchema,
  VersionResponseSchema,
} from "../../src/gen/machine/machine_pb.js";
import { tempDir } from "./cli.js";
import {
  eventually,
  mtlsClient,
  type StartedNode,
  seedState,
  startNode,
  streamCall,
  type TestCluster,
  unaryCall,
} from "./node.js";

/** Flags every lifecycle test node gets: a fast clock, and a downtime of 1 s real time (long enough to observe). */
export const FAST = ["--time-scale", "50", "--downtime", "50s"];

export interface LifecycleNode {
  node: StartedNode;
  admin: grpc.Client;
  /** Every event seen so far, across reboots (see `follow`). */
  events: DecodedEvent[];
  stop(): Promise<void>;
}

/** A node booted with the cluster's control-plane config (installed, configured), running. */
export async function configuredNode(
  cluster: TestCluster,
  args: string[] = [],
  config = cluster.controlplane,
): Promise<LifecycleNode> {
  const stateDir = tempDir("talos-node-life-");
  seedState(stateDir, config);
  // Flags given here replace FAST's of the same name.
  const fast = FAST.filter((_, i) => i % 2 === 0 && !args.includes(FAST[i]!)).flatMap((f) => [
    f,
    FAST[FAST.indexOf(f) + 1]!,
  ]);
  const node = await startNode({ stateDir, args: [...fast, ...args] });
  const admin = mtlsClient(node.address, cluster.osCa.crt, cluster.admin);
  const follower = follow(node, cluster);
  await waitForEvent(follower.events, (e) => e.text === "stage RUNNING ready=true", 30_000);
  return {
    node,
    admin,
    events: follower.events,
    stop: async () => {
      follower.stop();
      admin.close();
      await node.stop();
    },
  };
}

export interface DecodedEvent {
  id: string;
  actorId: string;
  type: string;
  /** `seq reboot START`, `phase cleanup START`, `task stopAllPods STOP`, `stage REBOOTING ready=true`, ... */
  text: string;
}

export function decodeEvent(raw: Buffer | Uint8Array): DecodedEvent {
  const e: Event = fromBinary(EventSchema, raw);
  const typeUrl = e.data?.typeUrl ?? "";
  const value = e.data?.value ?? new Uint8Array();
  const type = typeUrl.replace(/^talos\/runtime\//, "");
  let text = type;
  switch (type) {
    case "machine.SequenceEvent": {
      const s = fromBinary(SequenceEventSchema, value);
      text = `seq ${s.sequence} ${SequenceEvent_Action[s.action]}${s.error ? ` ${Code[s.error.code]} ${s.error.message}` : ""}`;
      break;
    }
    case "machine.PhaseEvent": {
      const p = fromBinary(PhaseEventSchema, value);
      text = `phase ${p.phase} ${PhaseEvent_Action[p.action]}`;
      break;
    }
    case "machine.TaskEvent": {
      const t = fromBinary(TaskEventSchema, value);
      text = `task ${t.task} ${TaskEvent_Action[t.action]}`;
      break;
    }
    case "machine.MachineStatusEvent": {
      const s = fromBinary(MachineStatusEventSchema, value);
      text = `stage ${MachineStatusEvent_MachineStage[s.stage]} ready=${s.status?.ready ?? false}`;
      break;
    }
    case "machine.RestartEvent": {
      const r = fromBinary(RestartEventSchema, value);
      text = `restart 0x${r.cmd.toString(16)}`;
      break;
    }
    default:
      break;
  }
  return { id: e.id, actorId: e.actorId, type, text };
}

/**
 * Follows the node's events for the whole test: starts with the full history, and whenever the
 * stream ends (the node went down) reconnects and resumes after the last event seen.
 */
export function follow(node: StartedNode, cluster: TestCluster): { events: DecodedEvent[]; stop(): void } {
  const events: DecodedEvent[] = [];
  let stopped = false;
  let current: ReturnType<typeof streamCall> | undefined;
  let client: grpc.Client | undefined;
  const loop = async (): Promise<void> => {
    while (!stopped) {
      client?.close();
      client = mtlsClient(node.address, cluster.osCa.crt, cluster.reader);
      const last = events.at(-1)?.id;
      const req = last ? { tailId: last } : { tailEvents: -1 };
      const stream = streamCall(
        client,
        "/machine.MachineService/Events",
        toBinary(EventsRequestSchema, create(EventsRequestSchema, req)),
        { timeoutMs: 600_000 },
      );
      current = stream;
      let seen = 0;
      const drain = (): void => {
        while (seen < stream.messages.length) {
          const e = decodeEvent(stream.messages[seen++]!);
          if (e.type !== "") events.push(e);
        }
      };
      // Drain as messages arrive; waitFor resolves for each new message.
      try {
        for (;;) {
          await stream.waitFor(seen + 1, 600_000);
          drain();
        }
      } catch {
        drain();
      }
      // The pace of reconnecting while the node is down (its listener refuses until it is back).
      if (!stopped) await new Promise((r) => setTimeout(r, 100));
    }
  };
  void loop();
  return {
    events,
    stop: () => {
      stopped = true;
      current?.cancel();
      client?.close();
    },
  };
}

/** Resolves with the first event (at or after index `from`) that matches. */
export async function waitForEvent(
  events: readonly DecodedEvent[],
  match: (e: DecodedEvent) => boolean,
  timeoutMs = 20_000,
  from = 0,
): Promise<DecodedEvent> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = events.slice(from).find(match);
    if (found) return found;
    if (Date.now() > deadline) {
      throw new Error(
        `event not seen within ${timeoutMs} ms; events:\n${events.map((e) => e.text).join("\n")}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

export function body<T extends DescMessage>(schema: T, init?: MessageInitShape<T>): Uint8Array {
  return toBinary(schema, create(schema, init));
}

/** The Talos version the node reports (Version RPC), retried while the node is down. */
export async function reportedVersion(client: grpc.Client): Promise<string> {
  const raw = await eventually(
    () => unaryCall(client, "/machine.MachineService/Version", new Uint8Array()),
    20_000,
  );
  return fromBinary(VersionResponseSchema, raw).messages[0]?.version?.tag ?? "";
}

/** /proc/sys/kernel/random/boot_id through the Read RPC, retried while the node is down. */
export async function bootId(client: grpc.Client): Promise<string> {
  return eventually(async () => {
    const stream = streamCall(
      client,
      "/machine.MachineService/Read",
      body(ReadRequestSchema, { path: "/proc/sys/kernel/random/boot_id" }),
    );
    const chunks = await stream.done;
    return chunks
      .map((c) => Buffer.from(fromBinary(DataSchema, c).bytes).toString("utf8"))
      .join("")
      .trim();
  }, 20_000);
}

/** A catalog file for upgrade tests: two good releases after v1.14.0, one that fails to boot, one whose installer fails. */
export function upgradeCatalog(): string {
  const file = path.join(tempDir("talos-node-catalog-"), "catalog.yaml");
  fs.writeFileSync(
    file,
    [
      "- ref: ghcr.io/siderolabs/installer:v1.14.0",
      "  version: v1.14.0",
      "- ref: ghcr.io/siderolabs/installer:v1.14.1",
      "  version: v1.14.1",
      "- ref: ghcr.io/siderolabs/installer:v1.14.2",
      "  version: v1.14.2",
      "- ref: registry.example/broken/installer:v1.15.0",
      "  version: v1.15.0",
      "  failBoot: true",
      "- ref: registry.example/broken/installer:v1.14.9",
      "  version: v1.14.9",
      "  failInstall: true",
      "",
    ].join("\n"),
  );
  return file;
}

/** Pulls an image into the system namespace (ImageService.Pull), resolving with the image name. */
export async function pullImage(client: grpc.Client, ref: string): Promise<string> {
  const messages = await streamCall(
    client,
    "/machine.ImageService/Pull",
    body(ImageServicePullRequestSchema, {
      imageRef: ref,
      containerd: { namespace: ContainerdNamespace.NS_SYSTEM },
    }),
  ).done;
  const last = fromBinary(ImageServicePullResponseSchema, messages.at(-1)!);
  return last.response.case === "name" ? last.response.value : "";
}

/** LifecycleService.Upgrade: the installer's lines and its exit code. */
export function lifecycleUpgrade(client: grpc.Client, ref: string) {
  const stream = streamCall(
    client,
    "/machine.LifecycleService/Upgrade",
    body(LifecycleServiceUpgradeRequestSchema, {
      source: { imageName: ref },
      containerd: { namespace: ContainerdNamespace.NS_SYSTEM },
    }),
  );
  const done = stream.done.then((messages) => {
    const lines: string[] = [];
    let exitCode: number | undefined;
    for (const m of messages) {
      const p = fromBinary(LifecycleServiceUpgradeResponseSchema, m).progress?.response;
      if (p?.case === "message") lines.push(p.value);
      if (p?.case === "exitCode") exitCode = p.value;
    }
    return { lines, exitCode };
  });
  return { stream, done };
}

/** The bootloader state the node keeps in its STATE directory. */
export function bootloaderState(stateDir: string): {
  default: string;
  fallback?: string;
  slots: Record<string, { version: string }>;
} {
  return JSON.parse(fs.readFileSync(path.join(stateDir, "bootloader.json"), "utf8"));
}
