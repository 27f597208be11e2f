// Output formats shared by every command that prints data: table, yaml, json, jsonpath=<expr>.
import { UserError } from "../../errors.js";
import { compileJsonPath, type JsonPath } from "./jsonpath.js";

export type OutputFormat =
  | { kind: "table" }
  | { kind: "yaml" }
  | { kind: "json" }
  | { kind: "jsonpath"; expression: string; path: JsonPath }
  | { kind: "text" };

export const OUTPUT_FORMAT_NAMES = ["table", "yaml", "json", "jsonpath"] as const;

/**
 * Parses an `-o/--output` value. `allowed` lists the plain formats the command accepts;
 * jsonpath is accepted when "jsonpath" is listed.
 */
export function parseOutputFormat(
  value: string,
  allowed: readonly string[] = OUTPUT_FORMAT_NAMES,
  flag = "--output",
): OutputFormat {
  const v = value.trim();
  if (v.startsWith("jsonpath")) {
    if (!allowed.includes("jsonpath")) throw unknownFormat(value, allowed, flag);
    const rest = v.slice("jsonpath".length);
    if (!rest.startsWith("=") || rest.length === 1) {
      throw new UserError(`${flag}: jsonpath needs an expression, e.g. ${flag} 'jsonpath={.spec}'`);
    }
    const expression = rest.slice(1);
    return { kind: "jsonpath", expression, path: compileJsonPath(expression) };
  }
  if (!allowed.includes(v)) throw unknownFormat(value, allowed, flag);
  return { kind: v as "table" | "yaml" | "json" | "text" };
}

function unknownFormat(value: string, allowed: readonly string[], flag: string): UserError {
  const names = allowed.map((a) => (a === "jsonpath" ? "jsonpath=<expr>" : a));
  return new UserError(`${flag}: unknown output format "${value}" (use one of: ${names.join(", ")})`);
}
