// A small implementation of the fetch API's Headers class for talosctl's own process. Node
// defines the global Headers lazily: the first use loads its whole fetch implementation (undici),
// which costs more than the rest of a command's start-up. The gRPC client library builds
// Headers objects for every call but needs nothing else from fetch, so talosctl installs this
// class in the global's place before any code reads it; fetch itself, if something calls it,
// still loads and uses its own.
//
// Behaviour follows the WHATWG Fetch standard's Headers: names are case-insensitive (kept in
// lowercase), values lose leading and trailing HTTP whitespace, repeated names combine with
// ", " except Set-Cookie, which keeps each value; iteration is in name order.

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Leading/trailing tab, line feed, carriage return and space.
const EDGE_WHITESPACE = /^[\t\n\r ]+|[\t\n\r ]+$/g;
// Values may not hold NUL, LF or CR.
const INVALID_VALUE = /[\0\n\r]/;

type Init = Iterable<readonly [string, string]> | Record<string, string> | LightHeaders;

function normalizeName(name: string): string {
  const text = String(name);
  if (!TOKEN.test(text)) throw new TypeError(`Headers: invalid header name "${text}"`);
  return text.toLowerCase();
}

function normalizeValue(value: string): string {
  const text = String(value).replace(EDGE_WHITESPACE, "");
  if (INVALID_VALUE.test(text)) throw new TypeError(`Headers: invalid header value "${text}"`);
  return text;
}

export class LightHeaders {
  readonly #values = new Map<string, string>();
  #cookies: string[] = [];

  constructor(init?: Init) {
    if (init === undefined || init === null) return;
    if (typeof init !== "object") throw new TypeError("Headers: init must be an object");
    if (Symbol.iterator in init) {
      for (const pair of init as Iterable<readonly [string, string]>) {
        const entry = [...pair];
        if (entry.length !== 2) throw new TypeError("Headers: each header must be a name and a value");
        this.append(entry[0]!, entry[1]!);
      }
      return;
    }
    for (const [name, value] of Object.entries(init)) this.append(name, value);
  }

  append(name: string, value: string): void {
    const key = normalizeName(name);
    const text = normalizeValue(value);
    if (key === "set-cookie") this.#cookies.push(text);
    const known = this.#values.get(key);
    this.#values.set(key, known === undefined ? text : `${known}, ${text}`);
  }

  set(name: string, value: string): void {
    const key = normalizeName(name);
    const text = normalizeValue(value);
    if (key === "set-cookie") this.#cookies = [text];
    this.#values.set(key, text);
  }

  delete(name: string): void {
    const key = normalizeName(name);
    if (key === "set-cookie") this.#cookies = [];
    this.#values.delete(key);
  }

  get(name: string): string | null {
    return this.#values.get(normalizeName(name)) ?? null;
  }

  has(name: string): boolean {
    return this.#values.has(normalizeName(name));
  }

  getSetCookie(): string[] {
    return [...this.#cookies];
  }

  forEach(callback: (value: string, name: string, headers: LightHeaders) => void, thisArg?: unknown): void {
    for (const [name, value] of this.entries()) callback.call(thisArg, value, name, this);
  }

  *entries(): IterableIterator<[string, string]> {
    for (const name of [...this.#values.keys()].sort()) {
      if (name === "set-cookie") {
        for (const cookie of this.#cookies) yield [name, cookie];
      } else {
        yield [name, this.#values.get(name)!];
      }
    }
  }

  *keys(): IterableIterator<string> {
    for (const [name] of this.entries()) yield name;
  }

  *values(): IterableIterator<string> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): IterableIterator<[string, string]> {
    return this.entries();
  }

  get [Symbol.toStringTag](): string {
    return "Headers";
  }
}

/**
 * Whether Node has loaded its fetch implementation (undici), told from the list of built-in
 * modules the process loaded; undefined where Node keeps no such list.
 */
function fetchLoaded(): boolean | undefined {
  const list = (process as { moduleLoadList?: readonly string[] }).moduleLoadList;
  return list?.some((m) => m.endsWith("internal/deps/undici/undici"));
}

/**
 * Puts LightHeaders in place of the global Headers while Node has not loaded its own yet; a
 * program that already used fetch keeps what it has. Node 20 defines the global as a lazy
 * accessor; later versions as a lazy data property which, once its descriptor is read or it is
 * redefined, loads undici: for the global the module list decides, and the property is deleted
 * before it is defined again. Returns whether it did.
 */
export function installLightHeaders(target: object = globalThis): boolean {
  const loaded = target === globalThis ? fetchLoaded() : undefined;
  if (loaded === true) return false;
  if (loaded === undefined) {
    const current = Object.getOwnPropertyDescriptor(target, "Headers");
    if (current && !current.get) return false;
  }
  // Redefining a lazy data property materialises it (loading undici); deleting it does not.
  Reflect.deleteProperty(target, "Headers");
  Object.defineProperty(target, "Headers", {
    value: LightHeaders,
    writable: true,
    configurable: true,
    enumerable: false,
  });
  return true;
}
