import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** What one batch scored by the live model and the shadow looks like; thresholds are each model's own. */
export interface ShadowBatch {
  liveVersion: string;
  shadowVersion: string;
  liveThreshold: number;
  shadowThreshold: number;
  liveScores: readonly number[];
  shadowScores: readonly number[];
}

/** Live-versus-shadow comparison series. */
export interface ShadowMetrics {
  observe(batch: ShadowBatch): void;
  shadowFailed(shadowVersion: string): void;
}

const SCORE_BUCKETS = [0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99];

/**
 * `vigil_shadow_*`: rows scored by both, agreement on the alert decision,
 * would-be alerts per role, and score histograms per role. Labels are the
 * two model versions (a handful over an engine's life), never row data.
 * Alert rate = alerts / rows; agreement rate = agreed / rows (Grafana
 * divides the rates; deploy/grafana).
 */
export function createShadowMetrics(registry: Registry): ShadowMetrics {
  const rows = new Counter({ name: 'vigil_shadow_rows_total', help: 'Rows scored by both the live and the shadow model', labelNames: ['live', 'shadow'], registers: [registry] });
  const agreed = new Counter({ name: 'vigil_shadow_agreement_total', help: 'Rows where live and shadow made the same alert decision', labelNames: ['live', 'shadow'], registers: [registry] });
  const alerts = new Counter({
    name: 'vigil_shadow_alerts_total',
    help: 'Rows at or above each model\'s threshold (the shadow\'s are never emitted)',
    labelNames: ['role', 'version'],
    registers: [registry],
  });
  const scores = new Histogram({ name: 'vigil_shadow_score', help: 'Fraud probability by role, over rows both models scored', labelNames: ['role', 'version'], buckets: SCORE_BUCKETS, registers: [registry] });
  const failures = new Counter({ name: 'vigil_shadow_failures_total', help: 'Shadow batches that failed to score (the live path is unaffected)', labelNames: ['shadow'], registers: [registry] });
  return {
    observe(b) {
      const labels = { live: b.liveVersion, shadow: b.shadowVersion };
      let same = 0;
      let liveAlerts = 0;
      let shadowAlerts = 0;
      const liveHist = scores.labels('live', b.liveVersion);
      const shadowHist = scores.labels('shadow', b.shadowVersion);
      b.liveScores.forEach((live, i) => {
        const shadow = b.shadowScores[i] as number;
        const l = live >= b.liveThreshold;
        const s = shadow >= b.shadowThreshold;
        if (l === s) same++;
        if (l) liveAlerts++;
        if (s) shadowAlerts++;
        liveHist.observe(live);
        shadowHist.observe(shadow);
      });
      rows.inc(labels, b.liveScores.length);
      agreed.inc(labels, same);
      alerts.inc({ role: 'live', version: b.liveVersion }, liveAlerts);
      alerts.inc({ role: 'shadow', version: b.shadowVersion }, shadowAlerts);
    },
    shadowFailed(shadowVersion) {
      failures.inc({ shadow: shadowVersion });
    },
  };
}

/** Where the labelled-outcome gauges read from at each scrape (the engine's ShadowOutcomes). */
export type LabelledOutcomeSource = () => ReadonlyArray<{ role: 'live' | 'shadow'; version: string; labelled: number; precision: number | undefined; recall: number | undefined }>;

/**
 * `vigil_model_precision{role,version}`, `vigil_model_recall{role,version}`
 * and `vigil_model_labelled_transactions{role,version}`: each model's
 * precision and recall on the scored transactions that received a label
 * (chargebacks, analyst verdicts), the shadow's at its own threshold.
 * A gauge is absent until it has a denominator.
 */
export function createLabelledOutcomeMetrics(registry: Registry, source: LabelledOutcomeSource): void {
  const gauge = (name: string, help: string, pick: (o: ReturnType<LabelledOutcomeSource>[number]) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['role', 'version'],
      registers: [registry],
      collect() {
        this.reset();
        for (const o of source()) {
          const v = pick(o);
          if (v !== undefined) this.set({ role: o.role, version: o.version }, v);
        }
      },
    });
  gauge('vigil_model_precision', 'Share of the labelled transactions a model alerted on that were fraud (shadow: would have alerted)', (o) => o.precision);
  gauge('vigil_model_recall', 'Share of the labelled fraud a model alerted on (shadow: would have alerted)', (o) => o.recall);
  gauge('vigil_model_labelled_transactions', 'Scored transactions with a fraud or legitimate label so far', (o) => o.labelled);
}
