// Choosing the context a command works with: the --context flag, else the file's current one.
// Errors name the file when it is known and list the contexts that do exist.
import { UserError } from "../errors.js";
import {
  type ClientConfig,
  type ClientContext,
  cloneContext,
  getContext,
  knownContextsHint,
} from "./model.js";

export interface ResolvedContext extends ClientContext {
  /** The context's name in the file. */
  name: string;
}

export interface ResolveContextOptions {
  /** The file the config came from, for messages. */
  path?: string | undefined;
  /**
   * Wording of the errors: "client" for commands that talk to nodes, "config" for the
   * `talosctl config` subcommands (`no context is set`, `context "x" is not defined`).
   */
  wording?: "client" | "config";
}

/**
 * Returns a copy of the selected context. `name` is the --context value; when it is empty the
 * file's current context is used.
 */
export function resolveContext(
  config: ClientConfig,
  name?: string | undefined,
  options: ResolveContextOptions = {},
): ResolvedContext {
  const forConfig = options.wording === "config";
  const known = knownContextsHint(config);
  let selected = name ?? "";
  if (selected === "") {
    selected = config.context;
    if (selected === "") {
      if (Object.keys(config.contexts).length === 0) {
        throw new UserError(
          options.path ? `talosconfig ${options.path} is empty` : "talos config file is empty",
        );
      }
      throw new UserError(
        `no context is set ${known}: choose one with "talosctl config context <name>" or --context`,
      );
    }
    const ctx = getContext(config, selected);
    if (!ctx) {
      throw new UserError(
        forConfig
          ? `context "${selected}" is not defined ${known}`
          : `default context "${selected}" not found in config ${known}`,
      );
    }
    return { ...cloneContext(ctx), name: selected };
  }
  const ctx = getContext(config, selected);
  if (!ctx) {
    throw new UserError(
      forConfig
        ? `context "${selected}" is not defined ${known}`
        : `context "${selected}" not found in config ${known}`,
    );
  }
  return { ...cloneContext(ctx), name: selected };
}

export type PemField = "ca" | "crt" | "key";

const FIELD_NAMES: Readonly<Record<PemField, string>> = {
  ca: "CA certificate (ca)",
  crt: "client certificate (crt)",
  key: "client key (key)",
};

/**
 * Decodes one of the base64 PEM fields of a context; undefined when the field is empty.
 * Errors name the context and the field.
 */
export function decodeContextPem(ctx: ResolvedContext, field: PemField): string | undefined {
  const value = ctx[field];
  if (!value) return undefined;
  const compact = value.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length % 4 !== 0) {
    throw new UserError(`context "${ctx.name}": the ${FIELD_NAMES[field]} is not valid base64`);
  }
  const text = Buffer.from(compact, "base64").toString("utf8");
  if (!text.includes("-----BEGIN ")) {
    throw new UserError(`context "${ctx.name}": the ${FIELD_NAMES[field]} does not hold PEM data`);
  }
  return text;
}
