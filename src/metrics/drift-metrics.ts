import { Gauge, type Registry } from 'prom-client';

/** Where the gauge reads PSI from at each scrape: the live model's version and its per-feature PSI. */
export type DriftSource = () => { version: string; features: Array<{ feature: string; psi: number }>; score?: number } | undefined;

/**
 * `vigil_feature_psi{feature,version}`: population stability index of each
 * feature's serving distribution since `version` went live, against its
 * training distribution. Computed at scrape time; labels are the fixed
 * feature names and the live version. Absent for models without a drift
 * reference (trained before `vigil train`).
 */
export function createDriftMetrics(registry: Registry, source: DriftSource): void {
  new Gauge({
    name: 'vigil_feature_psi',
    help: 'Population stability index of each feature, serving since the live model was promoted vs its training data (>0.25: shifted)',
    labelNames: ['feature', 'version'],
    registers: [registry],
    collect() {
      this.reset();
      const now = source();
      if (!now) return;
      for (const f of now.features) this.set({ feature: f.feature, version: now.version }, f.psi);
    },
  });
  new Gauge({
    name: 'vigil_score_psi',
    help: "Population stability index of the live model's scores since it was promoted vs its scores on its training rows (>0.25: shifted)",
    labelNames: ['version'],
    registers: [registry],
    collect() {
      this.reset();
      const now = source();
      if (now?.score === undefined) return;
      this.set({ version: now.version }, now.score);
    },
  });
}
