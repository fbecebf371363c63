/**
 * A memo of what was worked out per key (an address's kind or worker, a
 * topic's decoder), forgotten all at once past `max` keys. A plant's ids fit
 * well under the bound; a flood of ever new ids cannot grow it, and starting
 * afresh costs only the recomputation, which an LRU's bookkeeping per hit
 * would cost on every reading instead.
 */
export class BoundedMemo<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(key, value);
  }

  clear(): void {
    this.map.clear();
  }
}
