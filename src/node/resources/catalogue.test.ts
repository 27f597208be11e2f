// The generated catalogue against COSI's own registration rules: the display type is Talos's
// pluraliser's singular, and `aliases`/`allAliases` are what COSI fills in from the type name
// and the declared aliases.
import { describe, expect, it } from "vitest";
import { CATALOGUE, catalogueEntry, NAMESPACE_DESCRIPTIONS, NAMESPACES } from "./catalogue.js";

/** COSI's automatic aliases (cosi-project/runtime: pkg/resource/meta/spec/resource_definition.go). */
function cosiAliases(type: string, declared: readonly string[], display: string, skip: boolean) {
  const [name = "", ...suffix] = type.split(".");
  const aliases = [...declared];
  const all: string[] = [];
  if (!skip) {
    aliases.push(display.toLowerCase());
    all.push(name.toLowerCase());
    for (let i = 1; i < suffix.length; i++) all.push([name.toLowerCase(), ...suffix.slice(0, i)].join("."));
    const capitals = name.replace(/[^A-Z]/g, "");
    if (capitals.length > 1) {
      aliases.push(capitals.toLowerCase());
      if (!capitals.endsWith("S")) aliases.push(`${capitals.toLowerCase()}s`);
    }
  }
  return { aliases, allAliases: [...all, ...aliases] };
}

describe("resource catalogue", () => {
  it("holds the 199 types Talos registers, ordered by definition id", () => {
    expect(CATALOGUE).toHaveLength(199);
    const ids = CATALOGUE.map((e) => e.id);
    expect(ids).toEqual([...ids].sort());
    expect(CATALOGUE.filter((e) => e.sensitive)).toHaveLength(38);
  });

  it("agrees with COSI's alias rules for every type", () => {
    for (const e of CATALOGUE) {
      expect(cosiAliases(e.type, e.declaredAliases, e.displayType, e.skipAutomaticAliases), e.type).toEqual({
        aliases: e.aliases,
        allAliases: e.allAliases,
      });
    }
    expect(catalogueEntry("MountStatuses.runtime.talos.dev").skipAutomaticAliases).toBe(true);
  });

  it("describes every namespace Talos registers", () => {
    expect(NAMESPACES).toHaveLength(19);
    for (const ns of NAMESPACES) expect(NAMESPACE_DESCRIPTIONS[ns], ns).toBeTruthy();
    expect(() => catalogueEntry("Nope.talos.dev")).toThrow("not in Talos's catalogue");
  });
});
