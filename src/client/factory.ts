// From a command's connection flags to a client and its target nodes (siderolabs/talos:
// cmd/talosctl/pkg/talos/global/factory.go): the talosconfig context, the endpoints, the nodes, or
// a maintenance client for --insecure.
import {
  type ClientConfig,
  openClientConfig,
  type ResolvedContext,
  resolveContext,
} from "../clientconfig/index.js";
import { UserError } from "../errors.js";
import { METADATA } from "../wire/index.js";
import { createTalosClient, type TalosClient } from "./client.js";
import { parseEndpoint } from "./endpoints.js";
import { parseFingerprint } from "./fingerprint.js";
import { credentialsFromContext, maintenanceCredentials } from "./tls.js";

export const NODES_NOT_SET =
  "nodes are not set for the command: please use `--nodes` flag or configuration file to set the nodes to run the command against";

const NO_ENDPOINTS = "failed to determine endpoints";
const EMPTY_CONFIG =
  "failed to create client connection: failed to resolve configuration context: talos config file is empty";

/** No current context and no contexts: what talosctl creates where no talosconfig was. */
function isEmptyConfig(config: ClientConfig): boolean {
  return config.context === "" && Object.keys(config.contexts).length === 0;
}

/** The connection flags of a node-facing command, already read from the command line. */
export interface ConnectionFlags {
  readonly talosconfig?: string | undefined;
  readonly context?: string | undefined;
  readonly nodes: readonly string[];
  readonly endpoints: readonly string[];
  readonly cluster?: string | undefined;
  readonly insecure?: boolean;
  readonly certFingerprints?: readonly string[];
}

/** What the factory may touch of the outside world (a command passes its CliContext). */
export interface ClientEnvironment {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly homedir: string;
  readonly cwd: string;
  readonly signal: AbortSignal;
}

export interface OpenClientOptions {
  /** Whether an empty node list is an error (default true). */
  readonly requireNodes?: boolean;
}

export interface OpenedClient {
  readonly client: TalosClient;
  /** Target nodes, exactly as given. */
  readonly nodes: readonly string[];
  /** The talosconfig context, when one was read (not with --insecure). */
  readonly context?: ResolvedContext;
}

/** Resolves context, endpoints and nodes, and opens the client (connections are lazy). */
export function openClient(
  flags: ConnectionFlags,
  environment: ClientEnvironment,
  options: OpenClientOptions = {},
): OpenedClient {
  const requireNodes = options.requireNodes ?? true;
  if (flags.insecure) {
    // Maintenance mode: the talosconfig is not read; every node is dialled itself.
    const fingerprints = (flags.certFingerprints ?? []).map(parseFingerprint);
    if (requireNodes && flags.nodes.length === 0) throw new UserError(NODES_NOT_SET);
    for (const node of flags.nodes) parseEndpoint(node);
    const client = createTalosClient({
      endpoints: [],
      direct: true,
      tls: maintenanceCredentials(fingerprints),
      signal: environment.signal,
    });
    return { client, nodes: [...flags.nodes] };
  }
  if ((flags.certFingerprints ?? []).length > 0) {
    throw new UserError("--cert-fingerprint is only used with --insecure (maintenance mode)");
  }
  const file = openClientConfig({
    path: flags.talosconfig,
    env: environment.env,
    homedir: environment.homedir,
    cwd: environment.cwd,
  });
  if (flags.context === undefined && isEmptyConfig(file.config)) {
    // talosctl learns of the empty file only while looking for endpoints: without -e it says
    // it has none, with -e the connection fails on the missing context.
    throw new UserError(flags.endpoints.length === 0 ? NO_ENDPOINTS : EMPTY_CONFIG);
  }
  const context = resolveContext(file.config, flags.context, { path: file.path });
  const endpoints = flags.endpoints.length > 0 ? flags.endpoints : context.endpoints;
  if (endpoints.length === 0) throw new UserError(NO_ENDPOINTS);
  for (const e of endpoints) parseEndpoint(e);
  const tls = credentialsFromContext(context);
  const headers: Record<string, string> = {};
  if (context.auth?.siderov1) {
    throw new UserError(
      `context "${context.name}" uses SideroV1 authentication (auth.siderov1), which this talosctl does not support`,
    );
  }
  if (context.auth?.basic) {
    const { username, password } = context.auth.basic;
    headers[METADATA.authorization] = `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}`;
  }
  if (context.proxyUrl && context.proxyUrl !== "direct") {
    throw new UserError(
      `context "${context.name}": proxy-url "${context.proxyUrl}" is not supported by this talosctl; remove it with "talosctl config proxy-url ''"`,
    );
  }
  const nodes = flags.nodes.length > 0 ? [...flags.nodes] : [...(context.nodes ?? [])];
  if (requireNodes && nodes.length === 0) throw new UserError(NODES_NOT_SET);
  const cluster = flags.cluster ?? context.cluster;
  const client = createTalosClient({
    endpoints,
    tls,
    headers,
    ...(cluster ? { cluster } : {}),
    signal: environment.signal,
  });
  return { client, nodes, context };
}

/** `command "<name>" requires exactly one node (got N)` unless exactly one node is targeted. */
export function requireOneNode(command: string, nodes: readonly string[]): string {
  if (nodes.length !== 1)
    throw new UserError(`command "${command}" requires exactly one node (got ${nodes.length})`);
  return nodes[0]!;
}
