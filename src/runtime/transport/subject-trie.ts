/**
 * A token trie of subscription subjects, like nats-server's sublist: matching
 * a published subject walks at most one literal child plus the `*` and `>`
 * branches per token, so its cost depends on the subject's depth, not on the
 * number of subscriptions (no regex per message).
 */

interface TrieNode<T> {
  literal: Map<string, TrieNode<T>> | undefined;
  star: TrieNode<T> | undefined;
  /** The `>` branch; its items match one or more further tokens. */
  tail: TrieNode<T> | undefined;
  items: T[];
}

function newNode<T>(): TrieNode<T> {
  return { literal: undefined, star: undefined, tail: undefined, items: [] };
}

function isEmpty<T>(node: TrieNode<T>): boolean {
  return (
    node.items.length === 0 &&
    node.star === undefined &&
    node.tail === undefined &&
    (node.literal === undefined || node.literal.size === 0)
  );
}

export class SubjectTrie<T> {
  private readonly root: TrieNode<T> = newNode();
  private count = 0;

  /** Number of items stored. */
  get size(): number {
    return this.count;
  }

  /** `tokens` must come from a validated subscribe subject. */
  insert(tokens: readonly string[], item: T): void {
    let node = this.root;
    for (const token of tokens) node = this.child(node, token, true) as TrieNode<T>;
    node.items.push(item);
    this.count++;
  }

  /** Removes one occurrence of `item`; prunes branches left empty. Returns whether it was found. */
  remove(tokens: readonly string[], item: T): boolean {
    const path: TrieNode<T>[] = [this.root];
    let node: TrieNode<T> | undefined = this.root;
    for (const token of tokens) {
      node = this.child(node, token, false);
      if (node === undefined) return false;
      path.push(node);
    }
    const at = node.items.indexOf(item);
    if (at < 0) return false;
    node.items.splice(at, 1);
    this.count--;
    for (let i = tokens.length; i > 0; i--) {
      const current = path[i] as TrieNode<T>;
      if (!isEmpty(current)) break;
      this.unlink(path[i - 1] as TrieNode<T>, tokens[i - 1] as string);
    }
    return true;
  }

  /** Appends to `out` every item whose subject matches the literal `tokens`. */
  match(tokens: readonly string[], out: T[]): void {
    this.matchFrom(this.root, tokens, 0, out);
  }

  private matchFrom(node: TrieNode<T>, tokens: readonly string[], depth: number, out: T[]): void {
    if (depth === tokens.length) {
      for (const item of node.items) out.push(item);
      return;
    }
    // `>` here covers tokens[depth..], which is at least one token.
    if (node.tail !== undefined) for (const item of node.tail.items) out.push(item);
    const literal = node.literal?.get(tokens[depth] as string);
    if (literal !== undefined) this.matchFrom(literal, tokens, depth + 1, out);
    if (node.star !== undefined) this.matchFrom(node.star, tokens, depth + 1, out);
  }

  private child(node: TrieNode<T>, token: string, create: boolean): TrieNode<T> | undefined {
    if (token === "*") {
      if (node.star === undefined && create) node.star = newNode();
      return node.star;
    }
    if (token === ">") {
      if (node.tail === undefined && create) node.tail = newNode();
      return node.tail;
    }
    let next = node.literal?.get(token);
    if (next === undefined && create) {
      next = newNode();
      (node.literal ??= new Map()).set(token, next);
    }
    return next;
  }

  private unlink(parent: TrieNode<T>, token: string): void {
    if (token === "*") parent.star = undefined;
    else if (token === ">") parent.tail = undefined;
    else parent.literal?.delete(token);
  }
}
