export { OUTPUT_FORMAT_NAMES, type OutputFormat, parseOutputFormat } from "./format.js";
export { compileJsonPath, type JsonPath } from "./jsonpath.js";
export { renderTable, type TableOptions } from "./table.js";
export { type Column, toYaml, type WriteRecordsOptions, writeRecords, writeValue } from "./write.js";
