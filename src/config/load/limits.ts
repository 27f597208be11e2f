// Every limit the loader enforces, named and in one place.

/** Largest config accepted: the Talos API's message size limit. */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

/** YAML alias dereferences allowed per config; a "billion laughs" document exceeds it at once. */
export const MAX_YAML_ALIASES = 100;

/** Deepest nesting of mappings and sequences accepted (real configs stay far below). */
export const MAX_NESTING_DEPTH = 256;

/** Nodes that alias expansion may add in total (an alias of a huge anchor counts its size). */
export const MAX_ALIAS_EXPANDED_NODES = 100_000;
