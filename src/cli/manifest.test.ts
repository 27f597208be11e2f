import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { CommandModule } from "./command.js";
import { type CommandEntry, ROOT } from "./manifest.js";

const COMMANDS = path.join(path.dirname(fileURLToPath(import.meta.url)), "commands");

function commandFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return commandFiles(p);
    return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
  });
}

function leaves(entry: CommandEntry, prefix: string[] = []): [string, CommandEntry][] {
  const here = [...prefix, entry.name];
  const own: [string, CommandEntry][] = entry.load ? [[here.join(" "), entry]] : [];
  return [...own, ...(entry.children ?? []).flatMap((c) => leaves(c, here))];
}

describe("the command manifest", () => {
  it("has an entry for every command file, and every entry loads a command file", async () => {
    const byModule = new Map<CommandModule, string>();
    for (const [name, entry] of leaves(ROOT)) {
      const { command } = await entry.load!();
      expect(command, `${name} exports a command`).toBeDefined();
      byModule.set(command, name);
    }
    const orphans: string[] = [];
    const seen = new Set<string>();
    for (const file of commandFiles(COMMANDS)) {
      const module = (await import(file)) as { command?: CommandModule };
      if (module.command === undefined) continue; // a helper of its folder's commands
      const name = byModule.get(module.command);
      if (name === undefined) orphans.push(path.relative(COMMANDS, file));
      else seen.add(name);
    }
    expect(orphans, "command files without a manifest entry").toEqual([]);
    expect(
      [...byModule.values()].filter((n) => !seen.has(n)),
      "entries loading no command file",
    ).toEqual([]);
  });

  it("declares each alias once among siblings", () => {
    const check = (entry: CommandEntry): void => {
      const names = (entry.children ?? []).flatMap((c) => [c.name, ...(c.aliases ?? [])]);
      expect(names.length, `children of ${entry.name}`).toBe(new Set(names).size);
      for (const c of entry.children ?? []) check(c);
    };
    check(ROOT);
  });
});
