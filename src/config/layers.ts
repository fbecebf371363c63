/**
 * Merging the config layers (defaults < file < environment < flags) while
 * remembering where every value came from, so a validation error can say
 * "(from VIGIL_RUNTIME_WORKERS)" rather than leave the user to guess.
 */

export type Source =
  | { readonly kind: "defaults" }
  | { readonly kind: "file"; readonly file: string }
  | { readonly kind: "env"; readonly name: string }
  | { readonly kind: "flag"; readonly name: string };

export function describeSource(source: Source): string {
  switch (source.kind) {
    case "defaults":
      return "defaults";
    case "file":
      return `file ${source.file}`;
    case "env":
    case "flag":
      return source.name;
  }
}

type Path = readonly (string | number)[];

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// Plain assignment of a "__proto__" key (JSON.parse makes one) would replace
// the prototype; defining it keeps it an ordinary key that validation rejects.
function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (isPlainObject(v)) {
    const out: Record<string, unknown> = {};
    for (const [k, child] of Object.entries(v)) setOwn(out, k, clone(child));
    return out;
  }
  return v;
}

export class Layers {
  readonly values: Record<string, unknown>;
  readonly #sources = new Map<string, Source>();

  constructor(defaults: object) {
    this.values = clone(defaults) as Record<string, unknown>;
  }

  /** Deep-merges `tree` over the current values; arrays and scalars replace. */
  mergeTree(tree: Record<string, unknown>, source: Source): void {
    this.#mergeInto(this.values, tree, [], source);
  }

  /** Sets one leaf, creating intermediate objects (replacing non-objects) as needed. */
  set(path: readonly string[], value: unknown, source: Source): void {
    let node = this.values;
    for (const [i, key] of path.entries()) {
      if (i === path.length - 1) {
        setOwn(node, key, value);
      } else {
        if (!isPlainObject(node[key])) setOwn(node, key, {});
        node = node[key] as Record<string, unknown>;
      }
    }
    this.#sources.set(keyOf(path), source);
  }

  /** Where the value at `path` (or the nearest enclosing value) came from. */
  sourceOf(path: Path): Source {
    for (let n = path.length; n >= 0; n--) {
      const s = this.#sources.get(keyOf(path.slice(0, n)));
      if (s !== undefined) return s;
    }
    return { kind: "defaults" };
  }

  /** The raw value at `path`, if there is one. */
  valueAt(path: Path): unknown {
    let v: unknown = this.values;
    for (const key of path) {
      if (typeof v !== "object" || v === null || !Object.hasOwn(v, key)) return undefined;
      v = (v as Record<string | number, unknown>)[key];
    }
    return v;
  }

  #mergeInto(target: Record<string, unknown>, tree: Record<string, unknown>, path: string[], source: Source): void {
    for (const [key, value] of Object.entries(tree)) {
      const childPath = [...path, key];
      this.#sources.set(keyOf(childPath), source);
      const existing = Object.hasOwn(target, key) ? target[key] : undefined;
      if (isPlainObject(value) && isPlainObject(existing)) {
        this.#mergeInto(existing, value, childPath, source);
      } else {
        setOwn(target, key, clone(value));
        // A replaced subtree's leaves now come from this source too.
        this.#forgetBelow(childPath);
        this.#sources.set(keyOf(childPath), source);
      }
    }
  }

  #forgetBelow(path: readonly string[]): void {
    const prefix = keyOf(path).slice(0, -1) + ",";
    for (const k of this.#sources.keys()) if (k.startsWith(prefix)) this.#sources.delete(k);
  }
}

function keyOf(path: Path): string {
  return JSON.stringify(path.map(String));
}
