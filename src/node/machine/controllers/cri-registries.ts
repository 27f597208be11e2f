// The registries containerd pulls through, as Talos's RegistriesConfigController writes them
// (siderolabs/talos: internal/app/machined/pkg/controllers/cri/registries_config.go): always the
// singleton `registries`, with the mirrors, authentication and TLS settings of the config
// (`.machine.registries` and the RegistryMirrorConfig, RegistryAuthConfig and RegistryTLSConfig
// documents). Talos puts its registryd first among the mirrors once the image cache is ready;
// the emulated image cache never becomes ready.
import { PEMEncodedCertificateAndKeySchema } from "../../../gen/common/common_pb.js";
import {
  RegistriesConfigSpecSchema,
  RegistryAuthConfigSchema,
  RegistryEndpointConfigSchema,
  RegistryMirrorConfigSchema,
  RegistryTLSConfigSchema,
} from "../../../gen/resource/definitions/cri/cri_pb.js";
import { type Controller, messageKind, NS, spec } from "../../resources/index.js";
import { legacyDocument, type MachineConfig } from "../config.js";
import { INPUT, type MachineSource } from "./source.js";

export const REGISTRIES_CONFIG = messageKind("RegistryConfigs.cri.talos.dev", RegistriesConfigSpecSchema);

type Obj = Record<string, unknown>;

const obj = (v: unknown): Obj => (v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Obj) : {});
const text = (v: unknown): string => (typeof v === "string" ? v : "");
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export interface RegistrySettings {
  readonly mirrors: Map<
    string,
    { endpoints: { url: string; overridePath: boolean }[]; skipFallback: boolean }
  >;
  readonly auths: Map<string, { username: string; password: string; auth: string; identityToken: string }>;
  readonly tls: Map<string, { cert: string; key: string; ca: string; insecureSkipVerify: boolean }>;
}

/** The registry settings of the config: the v1alpha1 section first, the documents over it. */
export function registrySettings(config: MachineConfig | undefined): RegistrySettings {
  const out: RegistrySettings = { mirrors: new Map(), auths: new Map(), tls: new Map() };
  if (!config) return out;
  const registries = obj(obj(obj(legacyDocument(config)?.data).machine).registries);
  for (const [name, m] of Object.entries(obj(registries.mirrors))) {
    const mirror = obj(m);
    out.mirrors.set(name, {
      endpoints: list(mirror.endpoints).map((e) => ({
        url: text(e),
        overridePath: mirror.overridePath === true,
      })),
      skipFallback: mirror.skipFallback === true,
    });
  }
  for (const [name, c] of Object.entries(obj(registries.config))) {
    const auth = obj(obj(c).auth);
    if (Object.keys(auth).length > 0)
      out.auths.set(name, {
        username: text(auth.username),
        password: text(auth.password),
        auth: text(auth.auth),
        identityToken: text(auth.identityToken),
      });
    const tls = obj(obj(c).tls);
    if (Object.keys(tls).length > 0)
      out.tls.set(name, {
        cert: text(obj(tls.clientIdentity).crt),
        key: text(obj(tls.clientIdentity).key),
        ca: text(tls.ca),
        insecureSkipVerify: tls.insecureSkipVerify === true,
      });
  }
  for (const d of config.documents.documents) {
    const data = obj(d.data);
    const name = d.name ?? text(data.name);
    if (d.kind === "RegistryMirrorConfig")
      out.mirrors.set(name, {
        endpoints: list(data.endpoints).map((e) => ({
          url: text(obj(e).url),
          overridePath: obj(e).overridePath === true,
        })),
        skipFallback: data.skipFallback === true,
      });
    else if (d.kind === "RegistryAuthConfig")
      out.auths.set(name, {
        username: text(data.username),
        password: text(data.password),
        auth: text(data.auth),
        identityToken: text(data.identityToken),
      });
    else if (d.kind === "RegistryTLSConfig")
      out.tls.set(name, {
        cert: text(obj(data.clientIdentity).cert),
        key: text(obj(data.clientIdentity).key),
        ca: text(data.ca),
        insecureSkipVerify: data.insecureSkipVerify === true,
      });
  }
  return out;
}

/** A PEM given inline in the config, or base64 of it as v1alpha1 carries it. */
const pem = (v: string): Uint8Array => Buffer.from(v, v.includes("-----BEGIN") ? "utf8" : "base64");

const registries: Controller<MachineSource> = {
  name: "cri.RegistriesConfigController",
  inputs: [INPUT.config],
  run({ source, put }) {
    const s = registrySettings(source.active());
    put(
      REGISTRIES_CONFIG,
      NS.cri,
      "registries",
      spec(RegistriesConfigSpecSchema, {
        registryMirrors: Object.fromEntries(
          [...s.mirrors].map(([name, m]) => [
            name,
            spec(RegistryMirrorConfigSchema, {
              mirrorEndpoints: m.endpoints.map((e) =>
                spec(RegistryEndpointConfigSchema, {
                  endpointEndpoint: e.url,
                  endpointOverridePath: e.overridePath,
                }),
              ),
              mirrorSkipFallback: m.skipFallback,
            }),
          ]),
        ),
        registryAuths: Object.fromEntries(
          [...s.auths].map(([name, a]) => [
            name,
            spec(RegistryAuthConfigSchema, {
              registryUsername: a.username,
              registryPassword: a.password,
              registryAuth: a.auth,
              registryIdentityToken: a.identityToken,
            }),
          ]),
        ),
        registryTlSs: Object.fromEntries(
          [...s.tls].map(([name, t]) => [
            name,
            spec(RegistryTLSConfigSchema, {
              ...(t.cert !== "" || t.key !== ""
                ? {
                    tlsClientIdentity: spec(PEMEncodedCertificateAndKeySchema, {
                      crt: pem(t.cert),
                      key: pem(t.key),
                    }),
                  }
                : {}),
              tlsca: pem(t.ca),
              tlsInsecureSkipVerify: t.insecureSkipVerify,
            }),
          ]),
        ),
      }),
    );
  },
};

export const CRI_REGISTRIES_CONTROLLERS: readonly Controller<MachineSource>[] = [registries];
