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
 * alerted fraud / labelled fraud. The tallies are kept up to date as
 * decisions and labels arrive, so a scrape costs one entry per model version,
 * not a pass over every decision. The decisions live in a DecisionLog:
 * in memory, bounded (the oldest beyond the number given are forgotten,
 * and a label for one then counts for nothing), or stored on disk for the
 * labels' whole delay (`decision-log.ts`), which the engine uses.
 */
import { type DecisionLog, MemoryDecisionLog } from './decision-log.js';
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

interface Tally {
  role: 'live' | 'shadow';
  version: string;
  /** Decisions kept that this (role, version) made: the entry goes when it reaches 0. */
  decisions: number;
  labelled: number;
  labelledFraud: number;
  alertedLabelled: number;
  alertedFraud: number;
}

export class ShadowOutcomes {
  readonly #decisions: DecisionLog;
  readonly #labels = new Map<string, Label>();
  readonly #tallies = new Map<string, Tally>();
  /** Labels kept at most (the oldest go first); re-read from the label topics at every start. */
  private readonly maxLabels: number;

  /** A number: decisions (and labels) kept in memory, the latest that many. A DecisionLog: decisions kept there. */
  constructor(decisions: DecisionLog | number = 500_000, maxLabels = 1_000_000) {
    this.#decisions = typeof decisions === 'number' ? new MemoryDecisionLog(decisions) : decisions;
    this.maxLabels = typeof decisions === 'number' ? decisions : maxLabels;
  }

  decided(decision: DecidedTransaction): void {
    const id = decision.transactionId;
    const fraud = this.#fraud(id);
    const previous = this.#decisions.get(id);
    if (previous) this.#count(previous, fraud, -1);
    for (const dropped of this.#decisions.set(decision)) this.#count(dropped, this.#fraud(dropped.transactionId), -1);
    this.#count(decision, fraud, 1);
  }

  /** A decision the log already holds (loaded at start): counted, not stored again. */
  restored(decision: DecidedTransaction): void {
    this.#count(decision, this.#fraud(decision.transactionId), 1);
  }

  /** Decisions the log deleted (past retention): their counts go. */
  forget(decisions: readonly DecidedTransaction[]): void {
    for (const d of decisions) this.#count(d, this.#fraud(d.transactionId), -1);
  }

  chargeback(transactionId: string): void {
    this.#relabel(transactionId, (label) => {
      label.chargeback = true;
    });
  }

  verdict(transactionId: string, verdict: VerdictName | undefined): void {
    this.#relabel(transactionId, (label) => {
      if (verdict === undefined) delete label.verdict;
      else label.verdict = verdict;
    });
  }

  /** One entry per (role, version) among the decisions kept. */
  outcomes(): ModelOutcome[] {
    return [...this.#tallies.values()].map(({ decisions: _decisions, ...t }) => ({
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

  /** Changes a transaction's label, moving its decision's counts from the old label to the new one. */
  #relabel(transactionId: string, change: (label: Label) => void): void {
    const before = this.#fraud(transactionId);
    let label = this.#labels.get(transactionId);
    if (label === undefined) this.#labels.set(transactionId, (label = { chargeback: false }));
    change(label);
    this.#moved(transactionId, before);
    for (const [oldest] of this.#labels) {
      if (this.#labels.size <= this.maxLabels) break;
      const was = this.#fraud(oldest);
      this.#labels.delete(oldest);
      this.#moved(oldest, was);
    }
  }

  #moved(transactionId: string, before: boolean | undefined): void {
    const after = this.#fraud(transactionId);
    const decision = this.#decisions.get(transactionId);
    if (decision === undefined || after === before) return;
    this.#count(decision, before, -1);
    this.#count(decision, after, 1);
  }

  /** Adds (sign 1) or removes (sign -1) one decision's part in its models' tallies, given its label. */
  #count(d: DecidedTransaction, fraud: boolean | undefined, sign: 1 | -1): void {
    this.#side('live', d.live, fraud, sign);
    if (d.shadow) this.#side('shadow', d.shadow, fraud, sign);
  }

  #side(role: 'live' | 'shadow', side: { version: string; alerted: boolean }, fraud: boolean | undefined, sign: 1 | -1): void {
    const key = `${role}\u0000${side.version}`;
    let t = this.#tallies.get(key);
    if (t === undefined) this.#tallies.set(key, (t = { role, version: side.version, decisions: 0, labelled: 0, labelledFraud: 0, alertedLabelled: 0, alertedFraud: 0 }));
    t.decisions += sign;
    if (fraud !== undefined) {
      t.labelled += sign;
      if (fraud) t.labelledFraud += sign;
      if (side.alerted) {
        t.alertedLabelled += sign;
        if (fraud) t.alertedFraud += sign;
      }
    }
    if (t.decisions === 0) this.#tallies.delete(key);
  }
}
