// The ContainerSpec of each ContainerConfig document (siderolabs/talos:
// internal/app/machined/pkg/controllers/containers/config.go, pkg/machinery/config/types/
// container): the document's settings as the container runtime will take them, the image
// normalised as go-containerregistry names it, user volume mounts resolved to their volume ids,
// mounts read-only unless `rw` is asked for, and the security, network and resource settings
// with the document's defaults (restricted profile, no network).

import { humanizeParseBytes } from "../../../config/validate/go.js";
import {
  ContainerDependsOnSpecSchema,
  ContainerImageSpecSchema,
  type ContainerMountSpec,
  ContainerMountSpecSchema,
  ContainerNetworkSpecSchema,
  ContainerResourcesSpecSchema,
  ContainerRunAsSpecSchema,
  ContainerSecuritySpecSchema,
  type ContainerSpecSpec,
  ContainerSpecSpecSchema,
} from "../../../gen/resource/definitions/containers/containers_pb.js";
import { normalizeRef } from "../../images/catalog.js";
import { type Controller, messageKind, NS, spec } from "../../resources/index.js";
import type { MachineConfig } from "../config.js";
import { INPUT, type MachineSource } from "./source.js";

const CONTAINER_SPEC = messageKind("ContainerSpecs.containers.talos.dev", ContainerSpecSpecSchema);

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj | undefined =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : undefined;
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
const text = (v: unknown): string => (typeof v === "string" ? v : "");

/**
 * An image reference as go-containerregistry's `Reference.Name()` writes it: the Docker Hub as
 * `index.docker.io`, `library/` for bare names, `:latest` without a tag, and only the digest
 * when there is one. A reference it cannot parse stays as written.
 */
export function registryName(ref: string): string {
  const normalized = normalizeRef(ref);
  if (normalized === undefined) return ref;
  const [named, digest] = normalized.split("@") as [string, string | undefined];
  let name = named;
  if (digest !== undefined) {
    const slash = name.lastIndexOf("/");
    const colon = name.lastIndexOf(":");
    if (colon > slash) name = name.slice(0, colon);
  }
  if (name.startsWith("docker.io/")) name = `index.${name}`;
  return digest === undefined ? name : `${name}@${digest}`;
}

/** Mount options as the document means them: read-only unless `rw` is among them. */
function readOnlyUnlessRw(options: string[]): string[] {
  if (options.includes("rw")) return options.filter((o) => o !== "rw");
  if (options.includes("ro")) return options;
  return [...options, "ro"];
}

function mounts(list: unknown): ContainerMountSpec[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((m): ContainerMountSpec[] => {
    const user = obj(obj(m)?.userVolume);
    const tmpfs = obj(obj(m)?.tmpfs);
    const hostPath = obj(obj(m)?.hostPath);
    if (user)
      return [
        spec(ContainerMountSpecSchema, {
          kind: "userVolume",
          volumeId: `u-${text(user.name)}`,
          destination: text(user.destination),
          options: readOnlyUnlessRw(strings(user.options)),
        }),
      ];
    if (tmpfs) {
      const size = text(tmpfs.size) === "" ? undefined : humanizeParseBytes(text(tmpfs.size));
      return [
        spec(ContainerMountSpecSchema, {
          kind: "tmpfs",
          destination: text(tmpfs.destination),
          size: size && "value" in size ? BigInt(size.value) : 0n,
          options: strings(tmpfs.options).filter((o) => o !== "rw"),
        }),
      ];
    }
    if (hostPath)
      return [
        spec(ContainerMountSpecSchema, {
          kind: "hostPath",
          source: text(hostPath.source),
          destination: text(hostPath.destination),
          options: readOnlyUnlessRw(strings(hostPath.options)),
        }),
      ];
    return [];
  });
}

/** A CPU limit in millicores (`1500m`); 0 when it is not one. */
function millicores(v: string): bigint {
  const m = /^(\d+)m$/.exec(v);
  return m ? BigInt(m[1]!) : 0n;
}

/** The ContainerSpec of one ContainerConfig document. */
export function containerSpec(data: Obj): ContainerSpecSpec {
  const runAs = obj(data.runAs);
  const security = obj(data.security);
  const capabilities = obj(security?.capabilities);
  const limits = obj(obj(data.resources)?.limits);
  const memory = text(limits?.memory) === "" ? undefined : humanizeParseBytes(text(limits?.memory));
  const dependsOn = obj(data.dependsOn);
  const int = (v: unknown): number | undefined =>
    typeof v === "number" && Number.isInteger(v) ? v : undefined;
  const uid = int(runAs?.uid);
  const gid = int(runAs?.gid);
  return spec(ContainerSpecSpecSchema, {
    image: spec(ContainerImageSpecSchema, { ref: registryName(text(data.image)) }),
    entrypoint: strings(data.entrypoint),
    args: strings(data.args),
    workingDir: text(data.workingDir),
    runAs: spec(ContainerRunAsSpecSchema, {
      ...(uid !== undefined ? { uid } : {}),
      ...(gid !== undefined ? { gid } : {}),
    }),
    environment: strings(data.environment),
    mounts: mounts(data.mounts),
    security: spec(ContainerSecuritySpecSchema, {
      privileged: security?.profile === "privileged",
      capabilitiesAdd: strings(capabilities?.add),
      capabilitiesDrop: strings(capabilities?.drop),
    }),
    network: spec(ContainerNetworkSpecSchema, { hostNetwork: obj(data.network)?.mode === "host" }),
    resources: spec(ContainerResourcesSpecSchema, {
      memoryLimit: memory && "value" in memory ? BigInt(memory.value) : 0n,
      cpuLimit: millicores(text(limits?.cpu)),
    }),
    dependsOn: spec(ContainerDependsOnSpecSchema, {
      paths: strings(dependsOn?.paths),
      networks: strings(dependsOn?.networks),
      time: dependsOn?.time === true,
      containers: strings(dependsOn?.containers),
    }),
  });
}

/** The ContainerConfig documents of a config, by name. */
export function containerConfigs(config: MachineConfig | undefined): [string, Obj][] {
  if (!config) return [];
  return config.documents.documents.flatMap((d) =>
    d.kind === "ContainerConfig" && d.name ? [[d.name, obj(d.data) ?? {}] as [string, Obj]] : [],
  );
}

const containerSpecs: Controller<MachineSource> = {
  name: "containers.ConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    for (const [name, data] of containerConfigs(source.active())) {
      put(CONTAINER_SPEC, NS.containers, name, containerSpec(data));
    }
  },
};

export const CONTAINER_CONTROLLERS: readonly Controller<MachineSource>[] = [containerSpecs];
