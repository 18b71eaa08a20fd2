import { checkModelMetadata, TOPOLOGY_FEATURES, type ExpectedFeatures } from './metadata.js';
import type { Scorer } from './scorer.js';

/** A scorer that can say which model scored a row it was given. */
export interface AttributingScorer extends Scorer {
  /** The model whose `score()` produced this row's score (same array object), if known. */
  scoredBy(row: readonly number[]): Scorer | undefined;
}

/** The model that scored `row`: the switch's record of it, else the scorer itself. */
export function modelThatScored(scorer: Scorer, row: readonly number[]): Scorer {
  return (scorer as Partial<AttributingScorer>).scoredBy?.(row) ?? scorer;
}

/** What a shadow model scored for `row`, when `scorer` runs one (a SwitchableScorer). */
export function shadowScoreOf(scorer: Scorer, row: readonly number[]): { model: Scorer; score: number } | undefined {
  return (scorer as Partial<SwitchableScorer>).shadowScoreOf?.(row);
}

/** Called after every batch the live model scored, with the shadow's scores for the same rows. */
export type ShadowObserver = (rows: ReadonlyArray<readonly number[]>, live: { model: Scorer; scores: number[] }, shadow: { model: Scorer; scores: number[] }) => void;

/**
 * The topology's scorer when models change at run time: a {@link Scorer}
 * that delegates to the live model, swapped atomically between `score()`
 * calls. A call captures the live model when it starts and finishes with
 * it, so a batch is never split between two models; the model a row was
 * scored by is remembered (weakly, by the row array) so the decision step
 * stamps the alert with that version and explains with that model even if
 * a promotion landed in between.
 *
 * A replaced model is closed once its in-flight calls have finished.
 * A shadow model, when set, scores the same rows after the live one; its
 * scores go to the observer only and never reach the topology, and its
 * failures are reported, never thrown.
 */
export class SwitchableScorer implements AttributingScorer {
  #live: Scorer;
  #shadow: Scorer | undefined;
  readonly #inFlight = new Map<Scorer, number>();
  readonly #retired = new Set<Scorer>();
  readonly #scoredBy = new WeakMap<readonly number[], Scorer>();
  readonly #shadowScored = new WeakMap<readonly number[], { model: Scorer; score: number }>();

  constructor(
    initial: Scorer,
    private readonly options: {
      expected?: ExpectedFeatures;
      /** After each live batch (drift tracking); must not throw. */
      onScored?: (rows: ReadonlyArray<readonly number[]>, model: Scorer, scores: number[]) => void;
      onShadow?: ShadowObserver;
      onShadowError?: (err: unknown) => void;
    } = {},
  ) {
    this.#live = initial;
  }

  get metadata() {
    return this.#live.metadata;
  }

  get live(): Scorer {
    return this.#live;
  }

  get shadow(): Scorer | undefined {
    return this.#shadow;
  }

  /**
   * Makes `next` the live model for every later `score()` call. Its metadata
   * is checked against the topology's features first; on a mismatch this
   * throws VIGIL_ERR_MODEL_METADATA and the live model stays.
   */
  async promote(next: Scorer): Promise<void> {
    checkModelMetadata(next.metadata, this.options.expected ?? TOPOLOGY_FEATURES, `model ${next.metadata.version}`);
    const previous = this.#live;
    if (previous === next) return;
    this.#live = next;
    if (this.#shadow === next) this.#shadow = undefined;
    await this.#retire(previous);
  }

  /** Scores beside the live model from the next batch on; `undefined` stops shadowing. Checked like {@link promote}. */
  async setShadow(candidate: Scorer | undefined): Promise<void> {
    if (candidate) checkModelMetadata(candidate.metadata, this.options.expected ?? TOPOLOGY_FEATURES, `model ${candidate.metadata.version}`);
    const previous = this.#shadow;
    this.#shadow = candidate;
    if (previous && previous !== candidate && previous !== this.#live) await this.#retire(previous);
  }

  async score(rows: ReadonlyArray<readonly number[]>): Promise<number[]> {
    const model = this.#live;
    const shadow = this.#shadow;
    const scores = await this.#using(model, () => model.score(rows));
    for (const row of rows) this.#scoredBy.set(row, model);
    this.options.onScored?.(rows, model, scores);
    if (shadow && this.options.onShadow) {
      try {
        const shadowScores = await this.#using(shadow, () => shadow.score(rows));
        for (let i = 0; i < rows.length; i++) this.#shadowScored.set(rows[i] as readonly number[], { model: shadow, score: shadowScores[i] as number });
        this.options.onShadow(rows, { model, scores }, { model: shadow, scores: shadowScores });
      } catch (err) {
        this.options.onShadowError?.(err);
      }
    }
    return scores;
  }

  scoredBy(row: readonly number[]): Scorer | undefined {
    return this.#scoredBy.get(row);
  }

  /** The shadow model's score of `row` (the same array object), if a shadow scored it. */
  shadowScoreOf(row: readonly number[]): { model: Scorer; score: number } | undefined {
    return this.#shadowScored.get(row);
  }

  async close(): Promise<void> {
    const all = new Set([this.#live, ...(this.#shadow ? [this.#shadow] : []), ...this.#retired]);
    this.#retired.clear();
    for (const m of all) await m.close();
  }

  async #using<T>(model: Scorer, run: () => Promise<T>): Promise<T> {
    this.#inFlight.set(model, (this.#inFlight.get(model) ?? 0) + 1);
    try {
      return await run();
    } finally {
      const left = (this.#inFlight.get(model) ?? 1) - 1;
      if (left > 0) this.#inFlight.set(model, left);
      else {
        this.#inFlight.delete(model);
        if (this.#retired.delete(model)) await model.close();
      }
    }
  }

  async #retire(model: Scorer): Promise<void> {
    // A model that comes back (rollback) must not be closed under it, so only idle, unused ones close now.
    if (model === this.#live || model === this.#shadow) return;
    if (this.#inFlight.has(model)) this.#retired.add(model);
    else await model.close();
  }
}
