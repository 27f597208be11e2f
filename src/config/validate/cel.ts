// Placeholder replaced below.
export type CelEnvironment = "disk" | "volume" | "link" | "oomTrigger" | "oomScoring";
export function celError(
  _expr: string,
  _env: CelEnvironment,
  _result: "bool" | "double",
): string | undefined {
  return undefined;
}
