/**
 * Precision and recall of the live and the shadow model on the
 * transactions that received labels, as they arrive (issue 16).
 *
 * The decision step reports, for every scored transaction, whether the live
 * model alerted and whether the shadow would have (at its own threshold);
 * the label topics say which transactions were fraud: a chargeback, or an
 * analyst's "confirmed fraud", makes one fraud; "false positive" makes it
 * legitimate unless a chargeback says otherwise (as in `vigil train`);
 * "unsure" and unlabelled transactions count for neither. Labels arrive
 * days after the decision, or before it on a replay: both orders work.
 *
 * Per model version: precision = alerted fraud / alerted labelled, recall =
 * alerted fraud / labelled fraud. Memory is bounded: the oldest decisions
 * beyond `maxTransactions` are forgotten (a label for one then counts for
 * nothing).
 */
import type { VerdictName } from './schema.js';

export interface DecidedTransaction {
  readonly transactionId: string;
  readonly live: { readonly version: string; readonly alerted: boolean };
  readonly shadow?: { readonly version: string; readonly alerted: boolean };
}

export interface ModelOutcome {
  readonly role: 'live' | 'shadow';
  readonly version: string;
  /** Scored transactions with a fraud or legitimate label. */
  readonly labelled: number;
  readonly labelledFraud: number;
  readonly alertedLabelled: number;
  readonly alertedFraud: number;
  /** Undefined until the model alerted on a labelled transaction. */
  readonly precision: number | undefined;
  /** Undefined until a labelled fraud was scored. */
  readonly recall: number | undefined;
}

interface Label {
  chargeback: boolean;
  verdict?: VerdictName;
}

export class ShadowOutcomes {
  readonly #decisions = new Map<string, DecidedTransaction>();
  readonly #labels = new Map<string, Label>();

  constructor(private readonly maxTransactions = 500_000) {}

  decided(decision: DecidedTransaction): void {
    this.#decisions.delete(decision.transactionId);
    this.#decisions.set(decision.transactionId, decision);
    this.#trim(this.#decisions);
  }

  chargeback(transactionId: string): void {
    this.#label(transactionId).chargeback = true;
  }

  verdict(transactionId: string, verdict: VerdictName | undefined): void {
    const label = this.#label(transactionId);
    if (verdict === undefined) delete label.verdict;
    else label.verdict = verdict;
  }

  /** One entry per (role, version) seen in the decisions kept. */
  outcomes(): ModelOutcome[] {
    const tally = new Map<string, { role: 'live' | 'shadow'; version: string; labelled: number; labelledFraud: number; alertedLabelled: number; alertedFraud: number }>();
    const count = (role: 'live' | 'shadow', side: { version: string; alerted: boolean }, fraud: boolean | undefined) => {
      const key = `${role}\u0000${side.version}`;
      let t = tally.get(key);
      if (t === undefined) tally.set(key, (t = { role, version: side.version, labelled: 0, labelledFraud: 0, alertedLabelled: 0, alertedFraud: 0 }));
      if (fraud === undefined) return;
      t.labelled++;
      if (fraud) t.labelledFraud++;
      if (side.alerted) {
        t.alertedLabelled++;
        if (fraud) t.alertedFraud++;
      }
    };
    for (const d of this.#decisions.values()) {
      const fraud = this.#fraud(d.transactionId);
      count('live', d.live, fraud);
      if (d.shadow) count('shadow', d.shadow, fraud);
    }
    return [...tally.values()].map((t) => ({
      ...t,
      precision: t.alertedLabelled > 0 ? t.alertedFraud / t.alertedLabelled : undefined,
      recall: t.labelledFraud > 0 ? t.alertedFraud / t.labelledFraud : undefined,
    }));
  }

  /** True: fraud; false: legitimate; undefined: no usable label. */
  #fraud(transactionId: string): boolean | undefined {
    const label = this.#labels.get(transactionId);
    if (!label) return undefined;
    if (label.chargeback || label.verdict === 'VERDICT_CONFIRMED_FRAUD') return true;
    if (label.verdict === 'VERDICT_FALSE_POSITIVE') return false;
    return undefined;
  }

  #label(transactionId: string): Label {
    let label = this.#labels.get(transactionId);
    if (label === undefined) {
      this.#labels.set(transactionId, (label = { chargeback: false }));
      this.#trim(this.#labels);
    }
    return label;
  }

  #trim(map: Map<string, unknown>): void {
    for (const key of map.keys()) {
      if (map.size <= this.maxTransactions) return;
      map.delete(key);
    }
  }
}
