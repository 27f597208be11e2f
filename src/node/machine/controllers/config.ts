// Resources that follow the machine config (siderolabs/talos: controllers/config, cri,
// cluster): the machine type, the image cache config and the discovery config.
import {
  ConfigSpecSchema,
  ServiceEndpointSchema,
} from "../../../gen/resource/definitions/cluster/cluster_pb.js";
import { ImageCacheConfigSpecSchema } from "../../../gen/resource/definitions/cri/cri_pb.js";
import {
  CriImageCacheCopyStatus,
  CriImageCacheStatus,
} from "../../../gen/resource/definitions/enums/enums_pb.js";
import { type Controller, machineTypeKind, messageKind, NS, spec } from "../../resources/index.js";
import { machineType } from "../config.js";
import { configDiscovery, configImageCache } from "./config-facts.js";
import { INPUT, type MachineSource } from "./source.js";

export const IMAGE_CACHE_CONFIG = messageKind("ImageCacheConfigs.cri.talos.dev", ImageCacheConfigSpecSchema);
export const DISCOVERY_CONFIG = messageKind("DiscoveryConfigs.cluster.talos.dev", ConfigSpecSchema);

const machineTypeController: Controller<MachineSource> = {
  name: "config.MachineTypeController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const active = source.active();
    if (active) put(machineTypeKind, NS.config, "machine-type", machineType(active));
  },
};

/** The image cache: disabled unless an ImageCacheConfig enables the local cache. */
const imageCache: Controller<MachineSource> = {
  name: "cri.ImageCacheConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const enabled = configImageCache(source.active())?.local === true;
    put(
      IMAGE_CACHE_CONFIG,
      NS.cri,
      "image-cache",
      spec(ImageCacheConfigSpecSchema, {
        status: enabled
          ? CriImageCacheStatus.IMAGE_CACHE_STATUS_PREPARING
          : CriImageCacheStatus.IMAGE_CACHE_STATUS_DISABLED,
        copyStatus: enabled
          ? CriImageCacheCopyStatus.IMAGE_CACHE_COPY_STATUS_UNKNOWN
          : CriImageCacheCopyStatus.IMAGE_CACHE_COPY_STATUS_SKIPPED,
      }),
    );
  },
};

/** `host:port` of a discovery endpoint, and whether it is plain HTTP (Talos's NormalizeEndpoint). */
function normalizeEndpoint(raw: string): { address: string; insecure: boolean } {
  try {
    const u = new URL(raw);
    const port = u.port || (u.protocol === "http:" ? "80" : "443");
    const host = u.hostname.includes(":") && !u.hostname.startsWith("[") ? `[${u.hostname}]` : u.hostname;
    return { address: `${host}:${port}`, insecure: u.protocol === "http:" };
  } catch {
    return { address: raw, insecure: false };
  }
}

const discoveryConfig: Controller<MachineSource> = {
  name: "cluster.ConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const d = configDiscovery(source.active());
    if (!d) return;
    const endpoints = d.services.map((s) => ({ name: s.name, ...normalizeEndpoint(s.endpoint) }));
    const first = endpoints[0];
    put(
      DISCOVERY_CONFIG,
      NS.config,
      "cluster",
      spec(ConfigSpecSchema, {
        discoveryEnabled: d.enabled,
        registryKubernetesEnabled: d.kubernetesRegistry,
        registryServiceEnabled: first !== undefined,
        serviceEndpoint: first?.address ?? "",
        serviceEndpointInsecure: first?.insecure ?? false,
        serviceEncryptionKey: first ? Buffer.from(d.clusterSecret, "base64") : new Uint8Array(),
        serviceClusterId: first ? d.clusterId : "",
        serviceEndpoints: endpoints.map((e) =>
          spec(ServiceEndpointSchema, { name: e.name, endpoint: e.address, insecure: e.insecure }),
        ),
      }),
    );
  },
};

export const CONFIG_CONTROLLERS: readonly Controller<MachineSource>[] = [
  machineTypeController,
  imageCache,
  discoveryConfig,
];
