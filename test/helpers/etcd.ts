// The emulated etcd's replicated data, opened by a test as one more client of the cluster
// (the same library the nodes use, over the cluster's discovery directory).

import { SharedKv } from "../../src/node/cluster/etcd-shared.js";
import { clusterId } from "../../src/node/cluster/facts.js";
import { ClusterRegistry } from "../../src/node/cluster/registry.js";
import { parseMachineConfig } from "../../src/node/machine/config.js";

export function clusterKv(discoveryDir: string, machineConfig: string): SharedKv {
  return SharedKv.of(new ClusterRegistry(discoveryDir, clusterId(parseMachineConfig(machineConfig))));
}

/** A control-plane config whose etcd has `quota-backend-bytes` set. */
export function withEtcdQuota(config: string, bytes: number): string {
  if (!config.includes("\n    etcd:\n")) throw new Error("config has no cluster.etcd section");
  return config.replace(
    "\n    etcd:\n",
    `\n    etcd:\n        extraArgs:\n            quota-backend-bytes: "${bytes}"\n`,
  );
}
