// What the dashboard knows of one node: the resources it watches (reduced to the fields the
// screens show), the last poll of its statistics with differences and series, its machine
// log, and whether it can be reached. Views only read this; sources only write it.
import { diffSamples, extendSeries, type Sample, type SampleDiff, type SeriesName } from "./stats.js";

/** Lines of machine log kept per node (Talos's log pane keeps 1000). */
export const MAX_LOG_LINES = 1000;

export type Reachability = "connecting" | "up" | "down";

export interface Member {
  readonly id: string;
  readonly hostname: string;
  readonly addresses: readonly string[];
  readonly machineType: string;
}

export interface ServiceState {
  readonly running: boolean;
  readonly healthy: boolean;
  readonly unknown: boolean;
}

export interface Route {
  readonly destination: string;
  readonly gateway: string;
}

export interface LogLine {
  readonly text: string;
  readonly error: boolean;
}

/** A watched resource's spec as plain data (YAML decoded), or undefined once destroyed. */
export type Spec = unknown;

export class NodeState {
  reachability: Reachability = "connecting";
  /** Why the node cannot be reached (the last error), while it is down. */
  downReason = "";
  /** When the node was last seen answering (ms since the epoch). */
  lastSeen = 0;
  /** Every watch has delivered its first state (or was refused) since the last connection. */
  watchesReady = false;
  /** The log's replayed buffer has been received. */
  logsReady = false;

  hostname?: string;
  osName?: string;
  version?: string;
  stage?: string;
  ready?: boolean;
  unmetConditions: string[] = [];
  machineType?: string;
  clusterName?: string;
  uuid?: string;
  siderolink?: { host: string; connected: boolean };
  secureBoot?: boolean;
  kubeletImage?: string;
  connectivity?: boolean;
  /** The platform the node runs on (`metal` offers the Network Config screen). */
  platform?: string;
  resolvers?: string[];
  timeServers?: string[];
  timeSynced?: boolean;
  readonly members = new Map<string, Member>();
  readonly nodeAddresses = new Map<string, string[]>();
  readonly routes = new Map<string, Route>();
  readonly services = new Map<string, ServiceState>();
  readonly staticPods = new Map<string, boolean | undefined>();
  readonly diagnostics = new Map<string, string>();
  readonly physicalLinks = new Set<string>();
  readonly metaKeys = new Map<string, string>();

  sample?: Sample;
  diff?: SampleDiff;
  readonly series = new Map<SeriesName, number[]>();

  readonly logs: LogLine[] = [];
  /** Bumped whenever anything shown may have changed. */
  revision = 0;

  constructor(readonly name: string) {}

  touch(): void {
    this.revision++;
  }

  setReachable(): void {
    this.lastSeen = Date.now();
    if (this.reachability !== "up") {
      this.reachability = "up";
      this.downReason = "";
      this.touch();
    }
  }

  setDown(reason: string): void {
    if (this.reachability !== "down" || this.downReason !== reason) {
      this.reachability = "down";
      this.downReason = reason;
      this.touch();
    }
  }

  addSample(sample: Sample): void {
    const diff = diffSamples(this.sample, sample);
    extendSeries(this.series, sample, diff);
    this.sample = sample;
    this.diff = diff;
    this.touch();
  }

  addLog(line: LogLine): void {
    this.logs.push(line);
    if (this.logs.length > MAX_LOG_LINES) this.logs.splice(0, this.logs.length - MAX_LOG_LINES);
    this.touch();
  }

  /** The addresses Talos's dashboard shows: routed without Kubernetes ones, else routed. */
  addresses(): string[] | undefined {
    // Loopback-only nodes route nothing: their current addresses stand in.
    for (const id of ["routed-no-k8s", "routed", "current"]) {
      const list = this.nodeAddresses.get(id);
      if (list && list.length > 0) return [...list].sort();
    }
    return this.nodeAddresses.has("routed") ? [] : undefined;
  }

  /** Default gateways from the route statuses, IPv4 first, each family sorted. */
  gateways(): string[] {
    const v4: string[] = [];
    const v6: string[] = [];
    for (const r of this.routes.values()) {
      if (r.gateway === "" || r.destination !== "") continue;
      (r.gateway.includes(":") ? v6 : v4).push(r.gateway);
    }
    return [...v4.sort(), ...v6.sort()];
  }
}
