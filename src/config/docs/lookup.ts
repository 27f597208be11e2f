// Finding the documentation of a concrete field path (`machine.ca.crt`, `endpoints[0].url`,
// `machine.registries.mirrors.docker.io.endpoints`) in the pattern tables.
import type { ConfigPath } from "../document.js";
import { DOCUMENT_DOCS } from "./documents.js";
import { LEGACY_DOCS } from "./legacy.js";
import type { FieldDoc, KindDocs } from "./types.js";

interface TrieNode {
  doc?: FieldDoc;
  readonly children: Map<string, TrieNode>;
}

/** A pattern such as `a.b[].c` or `x.*.y` as trie steps: `a`, `b`, `[]`, `c`. */
function patternSteps(pattern: string): string[] {
  const steps: string[] = [];
  for (const part of pattern.split(".")) {
    let rest = part;
    let items = 0;
    while (rest.endsWith("[]")) {
      rest = rest.slice(0, -2);
      items++;
    }
    steps.push(rest);
    for (let i = 0; i < items; i++) steps.push("[]");
  }
  return steps;
}

function buildTrie(docs: KindDocs): TrieNode {
  const root: TrieNode = { children: new Map() };
  for (const [pattern, doc] of Object.entries(docs.fields)) {
    let node = root;
    for (const step of patternSteps(pattern)) {
      let next = node.children.get(step);
      if (!next) {
        next = { children: new Map() };
        node.children.set(step, next);
      }
      node = next;
    }
    node.doc = doc;
  }
  return root;
}

const tries = new Map<string, TrieNode>();

function trieFor(kind: string): TrieNode | undefined {
  const cached = tries.get(kind);
  if (cached) return cached;
  const docs = kind === "v1alpha1" ? LEGACY_DOCS : DOCUMENT_DOCS[kind];
  if (!docs) return undefined;
  const trie = buildTrie(docs);
  tries.set(kind, trie);
  return trie;
}

function walk(kind: string, path: ConfigPath): TrieNode | undefined {
  let node = trieFor(kind);
  for (const segment of path) {
    if (!node) return undefined;
    node =
      typeof segment === "number"
        ? node.children.get("[]")
        : (node.children.get(segment) ?? node.children.get("*"));
  }
  return node;
}

/** The documentation of the field at `path` of a document of `kind` ("v1alpha1" for the legacy one). */
export function fieldDoc(kind: string, path: ConfigPath): FieldDoc | undefined {
  if (path.length === 0) return undefined;
  return walk(kind, path)?.doc;
}

/** What a document kind is for. */
export function documentSummary(kind: string): string | undefined {
  return kind === "v1alpha1" ? LEGACY_DOCS.summary : DOCUMENT_DOCS[kind]?.summary;
}

/** The documented fields directly below the object at `path`, in table order. */
export function childFieldDocs(kind: string, path: ConfigPath): readonly { key: string; doc: FieldDoc }[] {
  const node = walk(kind, path);
  if (!node) return [];
  const out: { key: string; doc: FieldDoc }[] = [];
  for (const [key, child] of node.children) {
    if (key === "*" || key === "[]" || !child.doc) continue;
    out.push({ key, doc: child.doc });
  }
  return out;
}
