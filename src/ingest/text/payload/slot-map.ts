// A read-mostly Map view over one parsed payload's field values, stored in an array by field slot.
// Building a real Map per line costs more than the whole regex match (hash-table growth for every
// field); this view costs one small object. It behaves like a Map<string, bigint | string> for
// every method (get/has/size/iteration in format field order/set/delete/clear); the first mutation
// that adds or removes keys turns it into a plain Map (copying the slots into the base class).
export class SlotMap extends Map<string, bigint | string> {
  private plain = false;
  constructor(private readonly names: readonly string[], private readonly index: ReadonlyMap<string, number>, private readonly vals: Array<bigint | string>) {
    super();
  }

  private toPlain(): void {
    if (this.plain) return;
    this.plain = true;
    for (let i = 0; i < this.names.length; i++) super.set(this.names[i], this.vals[i]);
  }

  override get(key: string): bigint | string | undefined {
    if (this.plain) return super.get(key);
    const i = this.index.get(key);
    return i === undefined ? undefined : this.vals[i];
  }

  override has(key: string): boolean {
    return this.plain ? super.has(key) : this.index.has(key);
  }

  override get size(): number {
    return this.plain ? super.size : this.names.length;
  }

  override set(key: string, value: bigint | string): this {
    if (!this.plain) {
      const i = this.index?.get(key);
      if (i !== undefined) { this.vals[i] = value; return this; }
      if (this.names === undefined) return super.set(key, value); // during super() construction
      this.toPlain();
    }
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    this.toPlain();
    return super.delete(key);
  }

  override clear(): void {
    this.plain = true;
    super.clear();
  }

  override forEach(cb: (value: bigint | string, key: string, map: Map<string, bigint | string>) => void, thisArg?: unknown): void {
    if (this.plain) { super.forEach(cb, thisArg); return; }
    for (let i = 0; i < this.names.length; i++) cb.call(thisArg, this.vals[i], this.names[i], this);
  }

  override *entries(): MapIterator<[string, bigint | string]> {
    if (this.plain) { yield* super.entries(); return; }
    for (let i = 0; i < this.names.length; i++) yield [this.names[i], this.vals[i]];
  }

  override *keys(): MapIterator<string> {
    if (this.plain) { yield* super.keys(); return; }
    yield* this.names;
  }

  override *values(): MapIterator<bigint | string> {
    if (this.plain) { yield* super.values(); return; }
    yield* this.vals;
  }

  override [Symbol.iterator](): MapIterator<[string, bigint | string]> {
    return this.entries();
  }
}
