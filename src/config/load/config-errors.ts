// Several config problems reported at once: one line per problem, each saying where.

import { UserError } from "../../errors.js";
import { ConfigError } from "../document.js";

/** Thrown by the loader (and the validate command) with every problem found. */
export class ConfigErrors extends UserError {
  readonly problems: readonly ConfigError[];

  constructor(problems: readonly ConfigError[]) {
    super(problems.map((p) => p.message).join("\n"));
    this.problems = problems;
  }
}

export { ConfigError };
