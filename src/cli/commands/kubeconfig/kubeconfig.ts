// talosctl kubeconfig [<path>]: fetches the cluster's admin kubeconfig from a control-plane
// node and writes it, or merges it into an existing kubeconfig.
import fs from "node:fs";
import path from "node:path";
import readline from "node:readline";
import {
  type ClashChoice,
  type ClashComponent,
  encodeKubeconfig,
  kubeconfigFromArchive,
  mergeKubeconfig,
  openClient,
  parseKubeconfig,
  requireOneNode,
  toRpcError,
} from "../../../client/index.js";
import { UserError } from "../../../errors.js";
import { readError, writeError, writeFileAtomic } from "../../../fsutil/index.js";
import { args, defineCommand, flag } from "../../command.js";
import type { CliContext } from "../../context.js";
import { connectionFlags, connectionOptions } from "../../flags.js";

/** The default kubeconfig: the first $KUBECONFIG entry, else ~/.kube/config. */
export function defaultKubeconfigPath(ctx: CliContext): string {
  const fromEnv = (ctx.env.KUBECONFIG ?? "").split(path.delimiter).find((p) => p !== "");
  return fromEnv ?? path.join(ctx.homedir, ".kube", "config");
}

export const command = defineCommand({
  use: "[local-path]",
  args: args.max(1),
  flags: {
    ...connectionFlags,
    force: flag.bool({ short: "f", describe: "overwrite an existing file or clashing entries" }),
    merge: flag.bool({ short: "m", default: true, describe: "merge with an existing kubeconfig" }),
    "force-context-name": flag.string({ describe: "name of the merged context" }),
  },
  examples: [
    ["$0 -n 10.5.0.2", "merge the admin kubeconfig into ~/.kube/config"],
    ["$0 -n 10.5.0.2 ./kubeconfig --merge=false", "write it to ./kubeconfig"],
    ["$0 -n 10.5.0.2 -", "print it"],
  ],
  async handler({ flags, args }, ctx: CliContext) {
    const force = flags.force;
    let merge = flags.merge;
    const contextName = flags["force-context-name"] || undefined;
    const given = args[0];
    let target: string | undefined;
    // "-" (or an empty path) means stdout.
    if (given === "-" || given === "") target = undefined;
    else if (given !== undefined) target = path.resolve(ctx.cwd, given);
    else target = merge ? defaultKubeconfigPath(ctx) : path.join(ctx.cwd, "kubeconfig");
    if (target !== undefined && isDirectory(target)) target = path.join(target, "kubeconfig");

    const { client, nodes } = openClient(connectionOptions(flags), ctx);
    let text: string;
    try {
      const node = requireOneNode("kubeconfig", nodes);
      const chunks: Uint8Array[] = [];
      try {
        for await (const msg of client.forNode(node).machine.kubeconfig({})) chunks.push(msg.bytes);
      } catch (err) {
        throw new UserError(`error copying: ${toRpcError(err, ctx.signal.aborted).message}`, { cause: err });
      }
      text = await kubeconfigFromArchive(Buffer.concat(chunks));
    } finally {
      client.close();
    }

    if (target === undefined) {
      ctx.stdout.write(text);
      return;
    }
    const exists = fs.existsSync(target);
    if (exists && !force && !merge) {
      throw new UserError(
        `kubeconfig file already exists, use --force to overwrite: ${JSON.stringify(target)}`,
      );
    }
    if (!exists) merge = false;
    const incoming = parseKubeconfig(text, "the kubeconfig from the node");
    let out: string;
    if (merge) {
      let existingText: string;
      try {
        existingText = fs.readFileSync(target, "utf8");
      } catch (err) {
        throw readError(target, err);
      }
      const existing = parseKubeconfig(existingText, target);
      const interactive = ctx.stdout.isTTY === true && ctx.stdin.isTTY === true;
      await mergeKubeconfig(existing, incoming, {
        force,
        ...(contextName !== undefined ? { contextName } : {}),
        ...(interactive ? { ask: (component, name) => askClash(ctx, component, name) } : {}),
        onRename: (line) => ctx.stdout.write(`${line}\n`),
      });
      out = encodeKubeconfig(existing);
    } else {
      if (contextName !== undefined) {
        const empty = parseKubeconfig("{}", "");
        await mergeKubeconfig(empty, incoming, { force: true, contextName });
        out = encodeKubeconfig(empty);
      } else {
        out = text;
      }
    }
    try {
      fs.mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    } catch (err) {
      throw writeError(target, err);
    }
    writeFileAtomic(target, out, { mode: 0o600 });
  },
});

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

async function askClash(ctx: CliContext, component: ClashComponent, name: string): Promise<ClashChoice> {
  const rl = readline.createInterface({ input: ctx.stdin, terminal: false });
  try {
    for (;;) {
      ctx.stdout.write(`${component} ${JSON.stringify(name)} already exists [(r)ename/(o)verwrite]: `);
      const line: string = await new Promise((resolve) => rl.once("line", resolve));
      const answer = line.trim().toLowerCase();
      if (answer === "r" || answer === "rename") return "rename";
      if (answer === "o" || answer === "overwrite") return "overwrite";
    }
  } finally {
    rl.close();
  }
}
