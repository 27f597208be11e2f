// Rules of the multi-document kinds (each kind's Validate under siderolabs/talos:
// pkg/machinery/config/types), plus what every kind's schema states about required fields and
// numeric ranges.
import { createPrivateKey, X509Certificate } from "node:crypto";
import { errorMessage } from "../../errors.js";
import type { ConfigDocument, ConfigPath } from "../document.js";
import { documentSchema, type SchemaNode } from "../schema/index.js";
import { bool, type Data, filled, get, list, num, obj, str, strs } from "./data.js";
import type { Findings } from "./findings.js";
import {
  decodeStdBase64,
  endpointURIError,
  hostnameError,
  isMasked,
  parseIP,
  parsePrefix,
  splitURL,
} from "./net.js";
import { checkKubeletConfigFields } from "./v1alpha1.js";

type Rule = (doc: ConfigDocument, f: Findings) => void;

const DISCOVERY_SCHEMES = ["http", "https", "grpc"];
const DEFAULT_NODE_MASK = { 4: 24, 6: 64 } as const;
/** kube-apiserver flags Talos sets itself; an extraArgs entry cannot replace them. */
const DENIED_APISERVER_ARGS = ["etcd-servers", "etcd-cafile", "etcd-certfile", "etcd-keyfile"];

function pemError(text: string, what: "certificate" | "key"): string | undefined {
  try {
    if (what === "certificate") new X509Certificate(text);
    // Talos labels Ed25519 keys "ED25519 PRIVATE KEY" (a PKCS#8 body).
    else createPrivateKey(text.replaceAll("ED25519 PRIVATE KEY", "PRIVATE KEY"));
    return undefined;
  } catch (e) {
    return errorMessage(e);
  }
}

function checkIssuingCA(doc: ConfigDocument, f: Findings): void {
  const issuing = obj(doc.data, ["issuingCA"]);
  if (issuing !== undefined) {
    const cert = str(issuing, ["cert"]);
    const key = str(issuing, ["key"]);
    if (cert === "") f.error(doc, ["issuingCA", "cert"], "issuing CA: certificate is required");
    else {
      const e = pemError(cert, "certificate");
      if (e !== undefined) f.error(doc, ["issuingCA", "cert"], `issuing CA: invalid certificate: ${e}`);
    }
    if (key !== "") {
      const e = pemError(key, "key");
      if (e !== undefined) f.error(doc, ["issuingCA", "key"], `issuing CA: invalid private key: ${e}`);
    }
  }
  strs(doc.data, ["acceptedCAs"]).forEach((pem, i) => {
    const e = pemError(pem, "certificate");
    if (e !== undefined) f.error(doc, ["acceptedCAs", i], `accepted CA: invalid certificate: ${e}`);
  });
}

function checkSubnets(doc: ConfigDocument, f: Findings): void {
  const d = doc.data;
  const masks = {
    4: num(d, ["nodeCIDRMaskSizeIPv4"]) ?? DEFAULT_NODE_MASK[4],
    6: num(d, ["nodeCIDRMaskSizeIPv6"]) ?? DEFAULT_NODE_MASK[6],
  };
  const families: Record<string, (4 | 6)[]> = {};
  for (const field of ["podSubnets", "serviceSubnets"] as const) {
    const subnets = strs(d, [field]);
    if (subnets.length < 1 || subnets.length > 2) {
      f.error(doc, [field], `${field} must list one or two subnets (one IPv4, one IPv6)`);
    }
    const seen: (4 | 6)[] = [];
    subnets.forEach((text, i) => {
      const p = parsePrefix(text);
      if (p === undefined) {
        f.error(doc, [field, i], `invalid subnet "${text}"`);
        return;
      }
      if (seen.includes(p.family))
        f.error(doc, [field, i], `${field} may hold at most one IPv${p.family} subnet`);
      seen.push(p.family);
      if (!isMasked(p)) f.error(doc, [field, i], `subnet "${text}" has host bits set`);
      const hostBits = (p.family === 4 ? 32 : 128) - p.bits;
      if (hostBits < 4)
        f.error(doc, [field, i], `subnet "${text}" is too small (at least 4 host bits are needed)`);
      if (field === "serviceSubnets" && hostBits > 20) {
        f.error(doc, [field, i], `service subnet "${text}" is too large (at most 20 host bits)`);
      }
      const mask = masks[p.family];
      // An out-of-range mask is reported by the schema's bounds; comparing with it says nothing.
      const maskValid = Number.isInteger(mask) && mask >= 1 && mask <= (p.family === 4 ? 32 : 128);
      if (field === "podSubnets" && maskValid) {
        if (p.bits > mask) {
          f.error(
            doc,
            [field, i],
            `pod subnet "${text}" is smaller than the per-node pod CIDR mask /${mask}`,
          );
        } else if (mask - p.bits > 16) {
          f.error(
            doc,
            [field, i],
            `pod subnet "${text}" is more than 16 bits larger than the per-node pod CIDR mask /${mask}`,
          );
        }
      }
    });
    families[field] = seen;
  }
  if (strs(d, ["podSubnets"]).length !== strs(d, ["serviceSubnets"]).length) {
    f.error(doc, ["serviceSubnets"], "podSubnets and serviceSubnets must list the same number of subnets");
  }
}

function endpointChecks(
  doc: ConfigDocument,
  f: Findings,
  path: ConfigPath,
  required: string,
  invalid: string,
): void {
  const endpoint = str(doc.data, path);
  if (endpoint === "") {
    f.error(doc, path, required);
    return;
  }
  const e = endpointURIError(endpoint);
  if (e !== undefined) f.error(doc, path, `${invalid}: ${e}`);
}

const RULES: Readonly<Record<string, Rule>> = {
  DiscoveryServiceConfig: (doc, f) => {
    const endpoint = str(doc.data, ["endpoint"]);
    if (endpoint === "") {
      f.error(doc, ["endpoint"], "endpoint is required");
      return;
    }
    const url = splitURL(endpoint);
    if (url === undefined)
      f.error(doc, ["endpoint"], `endpoint "${endpoint}" needs a scheme (http, https or grpc)`);
    else {
      if (!DISCOVERY_SCHEMES.includes(url.scheme)) {
        f.error(
          doc,
          ["endpoint"],
          `endpoint scheme "${url.scheme}" is not supported (use http, https or grpc)`,
        );
      }
      if (url.host === "") f.error(doc, ["endpoint"], "endpoint host is required");
    }
  },
  DiscoveryIdentityConfig: (doc, f) => {
    if (str(doc.data, ["clusterID"]) === "") f.error(doc, ["clusterID"], "clusterID is required");
    const secret = str(doc.data, ["clusterSecret"]);
    if (secret === "") f.error(doc, ["clusterSecret"], "clusterSecret is required");
    else {
      const bytes = decodeStdBase64(secret);
      if (bytes === undefined) f.error(doc, ["clusterSecret"], "invalid clusterSecret: not standard base64");
      else if (bytes.length !== 32) {
        f.error(
          doc,
          ["clusterSecret"],
          `invalid clusterSecret: decodes to ${bytes.length} bytes, expected 32`,
        );
      }
    }
  },
  UnattendedInstallConfig: (doc, f) => {
    if (str(doc.data, ["provisioning", "diskSelector", "match"]).trim() === "") {
      // Talos's message names volumeSelector; the key users write is diskSelector.
      f.error(doc, ["provisioning", "diskSelector", "match"], "provisioning.diskSelector.match is required");
    }
    if (str(doc.data, ["installer", "image"]) === "") {
      f.warn(
        doc,
        ["installer", "image"],
        "installer.image is not set: the installer image of the running Talos version is used",
      );
    }
  },
  ResolverConfig: (doc, f) => {
    const enabled = bool(doc.data, ["hostDNS", "enabled"]) === true;
    for (const option of ["forwardKubeDNSToHost", "resolveMemberNames"]) {
      if (bool(doc.data, ["hostDNS", option]) === true && !enabled) {
        f.error(doc, ["hostDNS", option], `hostDNS.${option} requires hostDNS.enabled to be true`);
      }
    }
    list(doc.data, ["nameservers"]).forEach((ns, i) => {
      const address = str(ns, ["address"]);
      if (address === "" || parseIP(address) === undefined) {
        f.error(doc, ["nameservers", i, "address"], `nameserver address "${address}" is not an IP address`);
      }
      const protocol = str(ns, ["protocol"]) || "Do53";
      const tlsName = str(ns, ["tlsServerName"]);
      if ((protocol === "DoT" || protocol === "DoH") && tlsName === "") {
        f.error(
          doc,
          ["nameservers", i, "tlsServerName"],
          `tlsServerName is required for the ${protocol} protocol`,
        );
      }
      if (protocol === "Do53" && tlsName !== "") {
        f.error(
          doc,
          ["nameservers", i, "tlsServerName"],
          "tlsServerName can't be used with the Do53 protocol",
        );
      }
    });
  },
  HostnameConfig: (doc, f) => {
    const auto = str(doc.data, ["auto"]);
    const hostname = str(doc.data, ["hostname"]);
    if ((auto === "") === (hostname === "")) {
      f.error(doc, [], "exactly one of auto or hostname must be set");
    }
    if (hostname !== "") {
      const e = hostnameError(hostname);
      if (e !== undefined) f.error(doc, ["hostname"], e);
    }
  },
  FilesystemTrimConfig: (doc, f) => {
    if (str(doc.data, ["interval"]).startsWith("-"))
      f.error(doc, ["interval"], "interval cannot be negative");
  },
  KubeClusterConfig: (doc, f) => {
    if (str(doc.data, ["clusterName"]) === "") f.error(doc, ["clusterName"], "clusterName must be specified");
    endpointChecks(doc, f, ["endpoint"], "endpoint must be specified", "cluster endpoint is invalid");
  },
  KubeNetworkConfig: checkSubnets,
  KubeletConfig: (doc, f) => {
    if (str(doc.data, ["image"]) === "") f.error(doc, ["image"], "kubelet image cannot be empty");
    checkKubeletConfigFields(doc, ["config"], obj(doc.data, ["config"]), f);
  },
  KubeAPIServerConfig: (doc, f) => {
    if (str(doc.data, ["image"]) === "") f.error(doc, ["image"], "kube-apiserver image cannot be empty");
    const args = obj(doc.data, ["extraArgs"]) ?? {};
    for (const arg of DENIED_APISERVER_ARGS) {
      if (Object.hasOwn(args, arg))
        f.error(doc, ["extraArgs", arg], `extra argument "${arg}" is managed by Talos and can't be set`);
    }
  },
  KubeServiceAccountConfig: (doc, f) => {
    const issuer = obj(doc.data, ["issuer"]);
    if (issuer === undefined) return;
    const url = str(issuer, ["issuerURL"]);
    if (url === "") f.error(doc, ["issuer", "issuerURL"], "issuer URL is required");
    else if (splitURL(url)?.host === undefined || splitURL(url)?.host === "") {
      f.error(doc, ["issuer", "issuerURL"], `issuer URL "${url}" is not a valid URL`);
    }
    const key = str(issuer, ["privateKey"]);
    if (key === "") f.error(doc, ["issuer", "privateKey"], "issuer private key is required");
    else {
      const e = pemError(key, "key");
      if (e !== undefined) f.error(doc, ["issuer", "privateKey"], `invalid issuer private key: ${e}`);
    }
  },
  KubeAPIServerCAConfig: checkIssuingCA,
  KubeAggregatorCAConfig: checkIssuingCA,
  KubePrismConfig: (doc, f) => {
    const port = num(doc.data, ["port"]);
    if (port !== undefined && (port < 1 || port > 65535))
      f.error(doc, ["port"], `port ${port} is out of range (1-65535)`);
  },
  KubeFlannelCNIConfig: (doc, f) => {
    if (str(doc.data, ["backendType"]) === "") f.error(doc, ["backendType"], "backendType is required");
  },
};

/** Required fields and numeric/list bounds the schema states, for every kind. */
function checkSchema(doc: ConfigDocument, f: Findings, handled: readonly string[]): void {
  const schema = documentSchema(doc.kind);
  if (schema === undefined || schema.loose) return;
  const walk = (node: SchemaNode, value: unknown, path: ConfigPath): void => {
    if (value === null || value === undefined) return;
    switch (node.type) {
      case "object": {
        const data = value as Data;
        for (const key of node.required ?? []) {
          // Identity keys are the loader's; rules above give better messages where they exist.
          if (path.length === 0 && (["apiVersion", "kind", "name"].includes(key) || handled.includes(key)))
            continue;
          if (!filled(data, [key]) && get(data, [key]) !== 0 && get(data, [key]) !== false) {
            f.error(doc, [...path, key], `${key} is required`);
          }
        }
        for (const [key, child] of Object.entries(node.fields ?? {})) walk(child, data[key], [...path, key]);
        return;
      }
      case "array": {
        const items = value as unknown[];
        if (node.minItems !== undefined && items.length < node.minItems) {
          f.error(doc, path, `at least ${node.minItems} item(s) are required`);
        }
        const itemNode = node.items;
        if (itemNode !== undefined) {
          items.forEach((item, i) => {
            walk(itemNode, item, [...path, i]);
          });
        }
        return;
      }
      case "map":
        if (node.values !== undefined) {
          for (const [key, child] of Object.entries(value as Data)) walk(node.values, child, [...path, key]);
        }
        return;
      case "int":
      case "number": {
        const n = value as number;
        if (node.minimum !== undefined && n < node.minimum)
          f.error(doc, path, `${n} is below the minimum ${node.minimum}`);
        if (node.maximum !== undefined && n > node.maximum)
          f.error(doc, path, `${n} is above the maximum ${node.maximum}`);
        return;
      }
      default:
        return;
    }
  };
  walk(schema.root, doc.data, []);
}

/** Rules with a better message for a required field than the generic one. */
const REQUIRED_HANDLED: Readonly<Record<string, readonly string[]>> = {
  DiscoveryServiceConfig: ["endpoint"],
  DiscoveryIdentityConfig: ["clusterID", "clusterSecret"],
  KubeClusterConfig: ["clusterName", "endpoint"],
  KubeletConfig: ["image"],
  KubeAPIServerConfig: ["image"],
};

export function validateDocument(doc: ConfigDocument, f: Findings): void {
  RULES[doc.kind]?.(doc, f);
  checkSchema(doc, f, REQUIRED_HANDLED[doc.kind] ?? []);
}
