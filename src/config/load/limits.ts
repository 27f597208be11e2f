// Every limit the loader enforces, named and in one place.

/** Largest config accepted: the Talos API's message size limit. */
export const MAX_CONFIG_BYTES = 32 * 1024 * 1024;

/** YAML alias dereferences allowed per config; a "billion laughs" document exceeds it at once. */
export const MAX_YAML_ALIASES = 100;

/** Deepest nesting of mappings and sequences accepted (real configs stay far below). */
export const MAX_NESTING_DEPTH = 256;

/** Nodes that alias expansion may add in total (an alias of a huge anchor counts its size). */
export const MAX_ALIAS_EXPANDED_NODES = 100_000;

/**
 * Lexical tokens (keys, values, indicators, comments, line breaks) a config may hold. The parser
 * keeps about 150 bytes per token until a document ends, so this bounds a request's memory and
 * time; real configs hold a few thousand.
 */
export const MAX_YAML_TOKENS = 1_000_000;

/** Problems reported for one config; loading stops once there are more. */
export const MAX_REPORTED_PROBLEMS = 50;
