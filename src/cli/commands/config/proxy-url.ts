// talosctl config proxy-url [url]: shows, sets or ("") clears the proxy the current context's
// connections go through; "direct" ignores the proxy environment variables.
import { openClientConfig, resolveContext, updateClientConfig } from "../../../clientconfig/index.js";
import { UserError } from "../../../errors.js";
import { args, defineCommand } from "../../command.js";
import { connectionFlags } from "../../flags.js";

const SCHEMES = ["socks5:", "http:", "https:"];

export const command = defineCommand({
  use: "[url]",
  args: args.max(1),
  flags: { ...connectionFlags },
  examples: [
    ["$0", "print the proxy URL of the current context"],
    ["$0 socks5://127.0.0.1:1080", "connect through a SOCKS5 proxy"],
    ["$0 direct", "ignore HTTPS_PROXY and friends"],
    ['$0 ""', "clear the proxy URL"],
  ],
  async handler({ flags, args: [url] }, ctx) {
    const options = { path: flags.talosconfig, env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd };
    if (url === undefined) {
      const file = openClientConfig(options);
      const selected = resolveContext(file.config, flags.context, { path: file.path, wording: "config" });
      if (selected.proxyUrl) ctx.stdout.write(`${selected.proxyUrl}\n`);
      else ctx.stderr.write(`no proxy URL is set for context "${selected.name}"\n`);
      return;
    }
    const value = url.trim();
    if (value !== "") validateProxyUrl(value);
    await updateClientConfig(options, (config, file) => {
      // As for `config endpoint`: --context alone decides which context is edited.
      const { name } = resolveContext(config, flags.context, { path: file, wording: "config" });
      const target = config.contexts[name]!;
      if (value === "") delete target.proxyUrl;
      else target.proxyUrl = value;
    });
  },
});

function validateProxyUrl(value: string): void {
  if (value === "direct") return;
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new UserError(
      `invalid proxy URL "${value}": expected socks5://, http:// or https:// and a host, or "direct"`,
    );
  }
  if (!SCHEMES.includes(parsed.protocol)) {
    throw new UserError(
      `invalid proxy URL "${value}": unsupported scheme "${parsed.protocol.replace(/:$/, "")}" (use socks5, http or https, or "direct")`,
    );
  }
  if (parsed.hostname === "") throw new UserError(`invalid proxy URL "${value}": no host`);
}
