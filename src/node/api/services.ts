// Every gRPC service and method of the wire contract, as one table the node's server walks
// to register methods (served locally or answered UNIMPLEMENTED).
import type { DescMethod, DescService } from "@bufbuild/protobuf";
import { ClusterService } from "../../gen/cluster/cluster_pb.js";
import { State } from "../../gen/cosi/resource/state_pb.js";
import { InspectService } from "../../gen/inspect/inspect_pb.js";
import { DebugService } from "../../gen/machine/debug_pb.js";
import { ImageService } from "../../gen/machine/image_pb.js";
import { LifecycleService } from "../../gen/machine/lifecycle_pb.js";
import { LVMService } from "../../gen/machine/lvm_pb.js";
import { MachineService } from "../../gen/machine/machine_pb.js";
import { MDService } from "../../gen/machine/md_pb.js";
import { StorageService as MachineStorageService } from "../../gen/machine/storage_pb.js";
import { StorageService } from "../../gen/storage/storage_pb.js";
import { TimeService } from "../../gen/time/time_pb.js";

export const SERVICES: readonly DescService[] = [
  MachineService,
  ImageService,
  LifecycleService,
  MachineStorageService,
  DebugService,
  LVMService,
  MDService,
  StorageService,
  TimeService,
  ClusterService,
  InspectService,
  State,
];

/** The gRPC path of a method: `/machine.MachineService/Version`. */
export function methodPath(method: DescMethod): string {
  return `/${method.parent.typeName}/${method.name}`;
}

export function allMethods(): DescMethod[] {
  return SERVICES.flatMap((s) => s.methods);
}

export function findMethod(path: string): DescMethod | undefined {
  return allMethods().find((m) => methodPath(m) === path);
}
