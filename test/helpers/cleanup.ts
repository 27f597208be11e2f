// What a test file leaves behind is released when the file ends, passed or failed: child
// processes the helpers started are killed, then the scratch directories are removed
// (test/setup.ts runs `releaseTestResources` after every other afterAll of the file).
import type { ChildProcess } from "node:child_process";
import fs from "node:fs";

const dirs = new Set<string>();
const children = new Set<ChildProcess>();

/** Removes `dir` (and everything in it) when the test file ends. */
export function removeAtEnd(dir: string): string {
  dirs.add(dir);
  return dir;
}

/** Kills `child` when the test file ends, if it still runs then. */
export function killAtEnd<T extends ChildProcess>(child: T): T {
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

export async function releaseTestResources(): Promise<void> {
  const left = [...children].filter(running);
  children.clear();
  await Promise.all(
    left.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (!running(child)) {
            resolve();
            return;
          }
          child.once("exit", () => resolve());
          child.kill("SIGKILL");
        }),
    ),
  );
  const failures: string[] = [];
  for (const dir of dirs) {
    try {
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 });
    } catch (err) {
      failures.push(`${dir}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  dirs.clear();
  if (failures.length > 0) throw new Error(`scratch directories not removed:\n${failures.join("\n")}`);
}
