// The one writer for data output: every command that prints data hands its records here.
import { encodeYaml } from "../../yaml/index.js";
import type { OutputStream } from "../context.js";
import type { OutputFormat } from "./format.js";
import { renderTable } from "./table.js";

export interface Column<T> {
  header: string;
  value: (record: T) => string;
}

export interface WriteRecordsOptions<T> {
  format: OutputFormat;
  /** Table columns; required for the table format. */
  columns?: readonly Column<T>[];
  /** Plain JSON data for a record (yaml, json and jsonpath formats). Defaults to the record. */
  toData?: (record: T) => unknown;
  /** JSON output as one document per record (NDJSON) rather than one array. */
  jsonLines?: boolean;
}

/** Writes a finite list of records in the chosen format. */
export function writeRecords<T>(
  out: OutputStream,
  records: readonly T[],
  options: WriteRecordsOptions<T>,
): void {
  const toData = options.toData ?? ((r: T) => r as unknown);
  switch (options.format.kind) {
    case "table":
    case "text": {
      const columns = options.columns ?? [];
      out.write(
        renderTable(
          columns.map((c) => c.header),
          records.map((r) => columns.map((c) => c.value(r))),
        ),
      );
      return;
    }
    case "json":
      if (options.jsonLines) {
        for (const r of records) out.write(`${JSON.stringify(toData(r))}\n`);
      } else {
        out.write(`${JSON.stringify(records.map(toData), null, 2)}\n`);
      }
      return;
    case "yaml":
      records.forEach((r, i) => {
        if (i > 0) out.write("---\n");
        out.write(toYaml(toData(r)));
      });
      return;
    case "jsonpath":
      for (const r of records) {
        const text = options.format.path.render(toData(r));
        out.write(text.endsWith("\n") ? text : `${text}\n`);
      }
      return;
  }
}

/** Writes one value (not a list) in the chosen format; tables are the caller's job. */
export function writeValue(out: OutputStream, value: unknown, format: OutputFormat): void {
  switch (format.kind) {
    case "json":
      out.write(`${JSON.stringify(value, null, 2)}\n`);
      return;
    case "yaml":
      out.write(toYaml(value));
      return;
    case "jsonpath": {
      const text = format.path.render(value);
      out.write(text.endsWith("\n") ? text : `${text}\n`);
      return;
    }
    default:
      out.write(typeof value === "string" ? value : toYaml(value));
  }
}

/** `-o yaml`: go-yaml v4's encoder, as talosctl's output writers use it (4-space indentation). */
export function toYaml(value: unknown): string {
  return encodeYaml(value);
}
