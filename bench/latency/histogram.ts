/**
 * A small HDR-style histogram of non-negative integers (microseconds here):
 * exact below 2048, then 1024 linear sub-buckets per power of two, so every
 * recorded value is kept to 3 significant digits (relative error < 0.1 %)
 * whatever its size, in a few hundred KB. Percentiles report the highest
 * value equivalent to the bucket, as HdrHistogram does. Written here rather
 * than adding hdr-histogram-js: the harness needs record, merge, percentile.
 */
const SUB = 1024;
const LINEAR = 2 * SUB;

function indexOf(v: number): number {
  if (v < LINEAR) return v;
  const e = Math.floor(Math.log2(v)) - 10;
  return LINEAR + (e - 1) * SUB + (Math.floor(v / 2 ** e) - SUB);
}

function highestEquivalent(index: number): number {
  if (index < LINEAR) return index;
  const e = Math.floor((index - LINEAR) / SUB) + 1;
  const mantissa = SUB + ((index - LINEAR) % SUB);
  return (mantissa + 1) * 2 ** e - 1;
}

export class Histogram {
  private counts = new Map<number, number>();
  total = 0;
  max = 0;
  min = Number.POSITIVE_INFINITY;
  private sum = 0;

  record(value: number): void {
    const v = Math.max(0, Math.round(value));
    const i = indexOf(v);
    this.counts.set(i, (this.counts.get(i) ?? 0) + 1);
    this.total++;
    this.sum += v;
    if (v > this.max) this.max = v;
    if (v < this.min) this.min = v;
  }

  add(other: Histogram): void {
    for (const [i, c] of other.counts) this.counts.set(i, (this.counts.get(i) ?? 0) + c);
    this.total += other.total;
    this.sum += other.sum;
    this.max = Math.max(this.max, other.max);
    this.min = Math.min(this.min, other.min);
  }

  /** The value at or below which `p` percent of the recorded values lie. */
  percentile(p: number): number {
    if (this.total === 0) return Number.NaN;
    if (p >= 100) return this.max;
    const rank = Math.max(1, Math.ceil((p / 100) * this.total));
    let seen = 0;
    for (const i of [...this.counts.keys()].sort((a, b) => a - b)) {
      seen += this.counts.get(i) as number;
      if (seen >= rank) return Math.min(this.max, highestEquivalent(i));
    }
    return this.max;
  }

  mean(): number {
    return this.total === 0 ? Number.NaN : this.sum / this.total;
  }

  /** [bucket index, count] pairs, for the JSON results and for merging across processes. */
  toJSON(): { total: number; max: number; min: number; sum: number; counts: Array<[number, number]> } {
    return { total: this.total, max: this.max, min: this.total ? this.min : 0, sum: this.sum, counts: [...this.counts] };
  }

  static fromJSON(j: ReturnType<Histogram['toJSON']>): Histogram {
    const h = new Histogram();
    h.counts = new Map(j.counts);
    h.total = j.total;
    h.max = j.max;
    h.min = j.total ? j.min : Number.POSITIVE_INFINITY;
    h.sum = j.sum;
    return h;
  }
}

export interface LatencySummary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
  mean: number;
}

/** Percentiles in milliseconds of a histogram recorded in microseconds. */
export function summarize(h: Histogram): LatencySummary {
  const ms = (us: number) => Math.round(us / 10) / 100;
  return {
    count: h.total,
    p50: ms(h.percentile(50)),
    p90: ms(h.percentile(90)),
    p99: ms(h.percentile(99)),
    p999: ms(h.percentile(99.9)),
    max: ms(h.max),
    mean: ms(h.mean()),
  };
}
