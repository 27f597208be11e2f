// secrets.yaml as talosctl writes it (go-yaml layout: 4-space indent, fixed key order, PEMs as
// one-line base64). Kept apart from the reader (bundle-file.ts) so that writing a bundle does not
// load the YAML parser.
import { encodeYaml } from "../yaml/encode.js";
import type { LoadedSecretsBundle } from "./bundle.js";
import type { CertAndKeyPem } from "./ca.js";

/** A `crt`/`key` value kept verbatim: Talos's marker for a redacted secret. */
export const REDACTED = "******";

/**
 * Renders a bundle byte-for-byte as talosctl's `gen secrets` does: go-yaml's `Marshal` of the
 * bundle struct (siderolabs/talos: pkg/machinery/config/generate/secrets/bundle.go), whose
 * fields have no yaml tags, so keys are the lower-cased Go field names in declaration order; a
 * nil part is `null`, an empty encryption secret is left out, PEMs are one-line base64.
 */
export function encodeBundle(bundle: LoadedSecretsBundle): string {
  const pair = (value: CertAndKeyPem | undefined) =>
    value === undefined ? null : { crt: pemField(value.crt), key: pemField(value.key) };
  const { cluster, secrets, trustdInfo, certs } = bundle;
  return encodeYaml({
    cluster: cluster === undefined ? null : { id: cluster.id, secret: cluster.secret },
    secrets:
      secrets === undefined
        ? null
        : {
            bootstraptoken: secrets.bootstrapToken,
            aescbcencryptionsecret: secrets.aescbcEncryptionSecret || undefined,
            secretboxencryptionsecret: secrets.secretboxEncryptionSecret || undefined,
          },
    trustdinfo: trustdInfo === undefined ? null : { token: trustdInfo.token },
    certs:
      certs === undefined
        ? null
        : {
            etcd: pair(certs.etcd),
            k8s: pair(certs.k8s),
            k8saggregator: pair(certs.k8sAggregator),
            k8sserviceaccount:
              certs.k8sServiceAccount === undefined ? null : { key: pemField(certs.k8sServiceAccount.key) },
            os: pair(certs.os),
          },
  });
}

function pemField(pem: string): string {
  return pem === REDACTED ? pem : Buffer.from(pem, "utf8").toString("base64");
}
