// Writes completions/talosctl.<shell> from the built CLI; with --check, fails when a committed
// script differs from what the CLI prints now.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");
const files = { bash: "talosctl.bash", zsh: "_talosctl", fish: "talosctl.fish", powershell: "talosctl.ps1" };
const stale = [];
fs.mkdirSync(path.join(root, "completions"), { recursive: true });
for (const [shell, name] of Object.entries(files)) {
  const script = execFileSync(process.execPath, [path.join(root, "bin", "talosctl"), "completion", shell], {
    cwd: root,
  }).toString();
  const file = path.join(root, "completions", name);
  const current = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  if (check) {
    if (current !== script) stale.push(`completions/${name}`);
  } else if (current !== script) {
    fs.writeFileSync(file, script);
    console.log(`wrote completions/${name}`);
  }
}
if (stale.length > 0) {
  console.error(`stale completion scripts (run "npm run generate:completions"): ${stale.join(", ")}`);
  process.exit(1);
}
