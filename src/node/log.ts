// machined-style log lines (`2006/01/02 15:04:05.000000 [talos] message`), written to the
// node's stderr and kept in memory for later reading.

/** Lines kept in memory. */
export const LOG_HISTORY = 2_000;

export interface NodeLog {
  (line: string): void;
  /** The lines so far (newest last). */
  lines(): readonly string[];
  /** Calls `listener` with every later line, bare and as written (timestamped). */
  listen(listener: (line: string, text: string) => void): () => void;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, "0");
}

export function logTimestamp(d: Date): string {
  return (
    `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())} ` +
    `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds() * 1000, 6)}`
  );
}

export function createNodeLog(sink: (text: string) => void, now: () => Date = () => new Date()): NodeLog {
  const history: string[] = [];
  const listeners = new Set<(line: string, text: string) => void>();
  const log = ((line: string) => {
    const text = `${logTimestamp(now())} [talos] ${line}`;
    history.push(text);
    if (history.length > LOG_HISTORY) history.shift();
    sink(`${text}\n`);
    for (const listener of [...listeners]) listener(line, text);
  }) as NodeLog;
  log.lines = () => history;
  log.listen = (listener) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  return log;
}
