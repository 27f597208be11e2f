// Resource definitions as COSI fills them in: display type, automatic aliases and the
// lower-cased id that `talosctl get rd` lists and alias resolution matches against.

export interface PrintColumn {
  readonly name: string;
  readonly jsonPath: string;
}

/** What a resource type declares. */
export interface DefinitionInput {
  /** `MachineConfigs.config.talos.dev`: plural CamelCase name, then a dotted suffix. */
  readonly type: string;
  readonly defaultNamespace: string;
  /** Extra human aliases (`svc`, `ns`); the automatic ones are added. */
  readonly aliases?: readonly string[];
  readonly printColumns?: readonly PrintColumn[];
  /** Readable by os:admin only. */
  readonly sensitive?: boolean;
}

export interface ResourceDefinition {
  /** Lower-cased type: the id of its ResourceDefinitions resource. */
  readonly id: string;
  readonly type: string;
  readonly displayType: string;
  readonly defaultNamespace: string;
  readonly aliases: readonly string[];
  readonly allAliases: readonly string[];
  readonly printColumns: readonly PrintColumn[];
  readonly sensitive: boolean;
}

/** English singular of a plural CamelCase word, for the words resource types use. */
export function singular(plural: string): string {
  if (/(ss|us|x|ch|sh)es$/.test(plural)) return plural.slice(0, -2);
  if (/ies$/.test(plural)) return `${plural.slice(0, -3)}y`;
  if (/s$/.test(plural) && !/ss$/.test(plural)) return plural.slice(0, -1);
  return plural;
}

/** Completes a definition the way COSI does (display type, aliases, all aliases). */
export function defineResource(input: DefinitionInput): ResourceDefinition {
  const dot = input.type.indexOf(".");
  if (dot <= 0 || dot === input.type.length - 1) {
    throw new Error(`resource type ${JSON.stringify(input.type)} needs a name and a suffix`);
  }
  const name = input.type.slice(0, dot);
  const suffix = input.type.slice(dot + 1);
  if (!/^[A-Z][A-Za-z0-9-]+$/.test(name)) throw new Error(`resource name ${name} must be CamelCase`);
  const displayType = singular(name);
  const aliases = [...(input.aliases ?? []), displayType.toLowerCase()];
  const lowerName = name.toLowerCase();
  const allAliases = [lowerName];
  const parts = suffix.split(".");
  for (let i = 1; i < parts.length; i++) allAliases.push([lowerName, ...parts.slice(0, i)].join("."));
  const capitals = name.replace(/[^A-Z]/g, "");
  if (capitals.length > 1) {
    aliases.push(capitals.toLowerCase());
    if (!capitals.endsWith("S")) aliases.push(`${capitals.toLowerCase()}s`);
  }
  allAliases.push(...aliases);
  return {
    id: input.type.toLowerCase(),
    type: input.type,
    displayType,
    defaultNamespace: input.defaultNamespace,
    aliases,
    allAliases,
    printColumns: input.printColumns ?? [],
    sensitive: input.sensitive === true,
  };
}
