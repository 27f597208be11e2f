// MachineService.GenerateClientConfiguration: a client certificate signed by the config's OS CA for
// the requested roles, and a talosconfig around it (no endpoints). As in siderolabs/talos:
// internal/app/machined/internal/server/v1alpha1/v1alpha1_server.go.
import { create } from "@bufbuild/protobuf";
import { encodeClientConfig, newContextMap } from "../../clientconfig/index.js";
import {
  GenerateClientConfigurationResponseSchema,
  GenerateClientConfigurationSchema,
  MachineService,
} from "../../gen/machine/machine_pb.js";
import { issueClientCertificate, parseRoles } from "../../pki/index.js";
import { durationMs } from "../../wire/index.js";
import { clusterName, isComplete, isControlPlane, osCa } from "../machine/index.js";
import { type HandlerEntry, invalidArgument, type NodeRuntime, unary, unimplemented } from "./define.js";

const API = "generate client configuration";

/** The context name Talos gives: the cluster, or `<role>@<cluster>` for a single role. */
export function contextName(cluster: string, roles: readonly string[]): string {
  if (roles.length === 1) return `${roles[0]!.replace(/^os:/, "")}@${cluster}`;
  return cluster;
}

export function clientConfigHandlers(rt: NodeRuntime): HandlerEntry[] {
  return [
    unary(MachineService.method.generateClientConfiguration, async (req) => {
      const active = rt.machine.config.active;
      if (!isComplete(active)) throw unimplemented(`machine type is not set, cannot use ${API} API`);
      if (!isControlPlane(active)) throw unimplemented(`${API} is only available on control plane nodes`);
      const ttlMs = req.crtTtl ? durationMs(req.crtTtl) : 0;
      if (ttlMs <= 0) throw invalidArgument("crt_ttl should be positive");
      const { roles } = parseRoles(req.roles);
      const ca = osCa(active);
      if (ca.key === "") throw new Error("the OS CA key is not available on this node");
      const cert = await issueClientCertificate({ ca, roles, ttlMs, now: rt.clock.now() });
      const name = contextName(clusterName(active), roles);
      const contexts = newContextMap();
      const b64 = (pem: string) => Buffer.from(pem, "utf8").toString("base64");
      contexts[name] = { endpoints: [], ca: b64(ca.crt), crt: b64(cert.crt), key: b64(cert.key) };
      const talosconfig = encodeClientConfig({ context: name, contexts });
      return create(GenerateClientConfigurationResponseSchema, {
        messages: [
          create(GenerateClientConfigurationSchema, {
            ca: Buffer.from(ca.crt, "utf8"),
            crt: Buffer.from(cert.crt, "utf8"),
            key: Buffer.from(cert.key, "utf8"),
            talosconfig: Buffer.from(talosconfig, "utf8"),
          }),
        ],
      });
    }),
  ];
}
