// The height of every message, estimated until it has been drawn and measured, kept in a
// Fenwick tree: a sample with 100k messages needs "where does message i start" and "which
// message is at pixel y" on every scroll, and a prefix-sum array would cost O(n) per update.

export class Heights {
  private readonly tree: Float64Array;
  private readonly values: Float64Array;
  private readonly measuredFlags: Uint8Array;

  /** `count` messages of `estimate` px each until told otherwise. */
  constructor(
    readonly count: number,
    estimate: number,
  ) {
    this.values = new Float64Array(count).fill(estimate);
    this.measuredFlags = new Uint8Array(count);
    // Every node covers lowbit(i) equal values: built in O(n) instead of n updates.
    this.tree = new Float64Array(count + 1);
    for (let i = 1; i <= count; i++) this.tree[i] = estimate * (i & -i);
  }

  get(i: number): number {
    return this.values[i];
  }

  /** Whether message i's height was measured on screen (not an estimate). */
  measured(i: number): boolean {
    return this.measuredFlags[i] === 1;
  }

  /** An estimate replaces an estimate; a measurement replaces anything. */
  set(i: number, height: number, measured: boolean): boolean {
    if (i < 0 || i >= this.count) return false;
    if (!measured && this.measuredFlags[i]) return false;
    if (measured) this.measuredFlags[i] = 1;
    const delta = height - this.values[i];
    if (delta === 0) return false;
    this.values[i] = height;
    for (let k = i + 1; k <= this.count; k += k & -k) this.tree[k] += delta;
    return true;
  }

  /** Where message i starts: the heights of messages 0..i-1. */
  offset(i: number): number {
    let sum = 0;
    for (let k = Math.min(i, this.count); k > 0; k -= k & -k) sum += this.tree[k];
    return sum;
  }

  get total(): number {
    return this.offset(this.count);
  }

  /** The message covering pixel `y` (the last one when y is past the end). */
  indexAt(y: number): number {
    if (this.count === 0) return 0;
    let pos = 0;
    let rest = y;
    let step = 1;
    while (step * 2 <= this.count) step *= 2;
    for (; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.count && this.tree[next] <= rest) {
        pos = next;
        rest -= this.tree[next];
      }
    }
    return Math.min(pos, this.count - 1);
  }
}
