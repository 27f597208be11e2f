// talosctl config proxy-url [url]: shows, sets or ("") clears the proxy the current context's
// connections go through; "direct" ignores the proxy environment variables.
import type { Argv } from "yargs";
import { openClientConfig, resolveContext, updateClientConfig } from "../../../clientconfig/index.js";
import { UserError } from "../../../errors.js";
import { defineCommand, str } from "../../command.js";
import { withConnectionFlags } from "../../flags.js";

const SCHEMES = ["socks5:", "http:", "https:"];

export const command = defineCommand({
  args: "[url]",
  builder: (y: Argv) =>
    withConnectionFlags(y)
      .positional("url", {
        type: "string",
        describe: 'proxy URL (socks5://, http://, https://), "direct" or ""',
      })
      .example("$0", "print the proxy URL of the current context")
      .example("$0 socks5://127.0.0.1:1080", "connect through a SOCKS5 proxy")
      .example("$0 direct", "ignore HTTPS_PROXY and friends")
      .example('$0 ""', "clear the proxy URL"),
  async handler(args, ctx) {
    const options = { path: str(args, "talosconfig"), env: ctx.env, homedir: ctx.homedir, cwd: ctx.cwd };
    const url = str(args, "url");
    if (url === undefined) {
      const file = openClientConfig(options);
      const selected = resolveContext(file.config, str(args, "context"), {
        path: file.path,
        wording: "config",
      });
      if (selected.proxyUrl) ctx.stdout.write(`${selected.proxyUrl}\n`);
      else ctx.stderr.write(`no proxy URL is set for context "${selected.name}"\n`);
      return;
    }
    const value = url.trim();
    if (value !== "") validateProxyUrl(value);
    await updateClientConfig(options, (config, file) => {
      // --context alone decides which context is edited (quirk 18, see config endpoint).
      const { name } = resolveContext(config, str(args, "context"), { path: file, wording: "config" });
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
