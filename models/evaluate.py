"""Evaluation under shift (`npm run eval`, models/evaluate.sh).

Trains a candidate model on the `train` world, then scores it and the
committed model (models/fraud.onnx) on shifted worlds it never saw, and
leaves each scenario out of training in turn. The feature vectors come from
the serving topology in backfill mode (src/fraud/evaluate/export-shift.ts),
as in training. Writes REPORT.md, results.json and SVG plots into --out.

The candidate: scikit-learn's HistGradientBoosting with monotonic
constraints where the direction is known, Platt-calibrated on a validation
period after the fitting period (see fit_candidate), threshold chosen there
for precision 0.9. Nothing is chosen on a test world.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime as ort
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, precision_recall_curve

sys.path.insert(0, str(Path(__file__).parent))
from svg_plots import bar_chart, line_chart  # noqa: E402
from train import Dataset, load, subset  # noqa: E402

TEST_WORLDS = ["classic", "population", "travel", "processor", "messy"]
TARGET_PRECISION = 0.9
# On validation, unlabelled fraud counts as a false alert, so observed precision understates the
# true one; the threshold aims a little lower there to land near TARGET_PRECISION in truth.
VALIDATION_PRECISION = 0.85
# The direction is known for these: more of them never makes a payment less suspicious.
MONOTONIC = {
    "count_1m": 1,
    "count_1h": 1,
    "new_merchants_1h": 1,
    "small_amount_count_1h": 1,
    "geo_velocity_kmh": 1,
    "new_device": 1,
    "spend_24h_vs_daily_mean": 1,
    "account_age_days": -1,
}
# Probabilities are kept off 0 and 1 so that ranking among the top alerts survives.
CLIP = 1e-4

_T0 = time.monotonic()


def progress(message: str) -> None:
    print(f"[{time.monotonic() - _T0:7.1f} s] {message}", file=sys.stderr, flush=True)


class Candidate:
    """A boosted model plus a Platt calibrator fitted on the validation period."""

    def __init__(self, names: list[str], max_iter: int) -> None:
        cst = [MONOTONIC.get(n, 0) for n in names]
        self.model = HistGradientBoostingClassifier(
            max_iter=max_iter,
            learning_rate=0.08,
            max_leaf_nodes=15,
            min_samples_leaf=40,
            l2_regularization=2.0,
            monotonic_cst=cst,
            early_stopping=False,
            random_state=0,
        )
        self.platt = LogisticRegression(C=1.0)
        self.threshold = 0.5

    def raw(self, X: np.ndarray) -> np.ndarray:
        return self.model.decision_function(X).reshape(-1, 1)

    def predict(self, X: np.ndarray) -> np.ndarray:
        return np.clip(self.platt.predict_proba(self.raw(X))[:, 1], CLIP, 1 - CLIP)


def fit_candidate(train: Dataset, max_iter: int, exclude: str | None = None) -> tuple[Candidate, dict]:
    if exclude is not None:
        train = subset(train, train.scenarios != exclude)
    # Fit on the first 60% of the period, calibrate and pick the threshold on the next 25%; the last
    # 15% is left out because its labels are the least mature (most frauds there are not labelled yet).
    lo, hi = np.quantile(train.times, [0.6, 0.85])
    fit, val = subset(train, train.times < lo), subset(train, (train.times >= lo) & (train.times < hi))
    c = Candidate(train.feature_names, max_iter)
    c.model.fit(fit.X, fit.labels)
    c.fit_X, c.fit_y = fit.X, fit.labels
    c.platt.fit(c.raw(val.X), val.labels)
    p_val = c.predict(val.X)
    c.threshold = threshold_for_precision(val.labels, p_val, VALIDATION_PRECISION)
    return c, {"fit_rows": len(fit.ids), "validation_rows": len(val.ids), "validation_fraud_labels": int(val.labels.sum()), "threshold": c.threshold}


def threshold_for_precision(y: np.ndarray, p: np.ndarray, target: float) -> float:
    precision, recall, thresholds = precision_recall_curve(y, p)
    ok = np.flatnonzero(precision[:-1] >= target)
    if len(ok) == 0:
        # Not reachable on validation: the best F1 instead, so the model still alerts.
        f1 = 2 * precision[:-1] * recall[:-1] / np.maximum(precision[:-1] + recall[:-1], 1e-12)
        return float(thresholds[int(np.argmax(f1))])
    best = ok[np.argmax(recall[ok])]
    return float(thresholds[best])


def recall_at_precision(y: np.ndarray, p: np.ndarray, target: float) -> float:
    precision, recall, _ = precision_recall_curve(y, p)
    ok = precision >= target
    return float(recall[ok].max()) if ok.any() else 0.0


def reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> tuple[list[dict], float]:
    """Equal-width bins; ECE weights each bin's |observed - predicted| by its share of rows."""
    edges = np.linspace(0, 1, bins + 1)
    idx = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    out, ece = [], 0.0
    for b in range(bins):
        m = idx == b
        if not m.any():
            continue
        conf, acc = float(p[m].mean()), float(y[m].mean())
        ece += m.mean() * abs(acc - conf)
        out.append({"bin": b, "rows": int(m.sum()), "predicted": round(conf, 4), "observed": round(acc, 4)})
    return out, float(ece)


def episodes(d: Dataset, truth: np.ndarray, alert: np.ndarray) -> dict:
    """An episode is one victim card's run of one scenario (the simulator places one per victim)."""
    by: dict[tuple[str, str], list[int]] = {}
    for i in np.flatnonzero(truth == 1):
        by.setdefault((d.cards[i], str(d.scenarios[i])), []).append(int(i))
    per: dict[str, dict] = {}
    for (_, scenario), rows in by.items():
        rows.sort(key=lambda i: d.times[i])
        hits = [k for k, i in enumerate(rows) if alert[i]]
        s = per.setdefault(scenario, {"episodes": 0, "caught": 0, "payments_before_first_alert": [], "minutes_to_first_alert": []})
        s["episodes"] += 1
        if hits:
            s["caught"] += 1
            s["payments_before_first_alert"].append(hits[0])
            s["minutes_to_first_alert"].append((d.times[rows[hits[0]]] - d.times[rows[0]]) / 60_000)
    return per


def metrics(d: Dataset, p: np.ndarray, threshold: float) -> dict:
    # Test worlds are exported with their true labels; the scenario column is the truth either way.
    truth = (d.scenarios != "normal").astype(np.int64)
    alert = p >= threshold
    legit = truth == 0
    tp, fp = int((alert & ~legit).sum()), int((alert & legit).sum())
    curve, ece = reliability(truth, p)
    per_scenario = {}
    eps = episodes(d, truth, alert)
    for s in sorted(set(d.scenarios) - {"normal"}):
        m = d.scenarios == s
        e = eps.get(s, {"episodes": 0, "caught": 0, "payments_before_first_alert": [], "minutes_to_first_alert": []})
        per_scenario[s] = {
            "payments": int(m.sum()),
            "recall": round(float(alert[m].mean()), 4),
            "episodes": e["episodes"],
            "episode_recall": round(e["caught"] / max(e["episodes"], 1), 4),
            "median_payments_before_first_alert": float(np.median(e["payments_before_first_alert"])) if e["payments_before_first_alert"] else None,
            "median_minutes_to_first_alert": round(float(np.median(e["minutes_to_first_alert"])), 1) if e["minutes_to_first_alert"] else None,
        }
    precision, recall, _ = precision_recall_curve(truth, p)
    step = max(1, len(precision) // 200)
    false_alarms = alert & legit
    return {
        "rows": int(len(truth)),
        "fraud": int(truth.sum()),
        "pr_auc": round(float(average_precision_score(truth, p)), 4),
        "recall_at_precision_0.9": round(recall_at_precision(truth, p, 0.9), 4),
        "recall_at_precision_0.8": round(recall_at_precision(truth, p, 0.8), 4),
        "threshold": round(threshold, 6),
        "precision": round(tp / max(tp + fp, 1), 4),
        "recall": round(tp / max(int(truth.sum()), 1), 4),
        "fpr_legit": round(fp / max(int(legit.sum()), 1), 5),
        "ece": round(ece, 4),
        "saturated_share": round(float((p >= 0.999999).mean()), 5),
        "reliability": curve,
        "per_scenario": per_scenario,
        "false_alarm_profile": false_alarm_profile(d, false_alarms),
        "_pr": (recall[::step].tolist(), precision[::step].tolist()),
    }


# What the legitimate payments that alert have in common: the conditions the issue names as the
# sources of false alarms, as shares of the false alarms (the feature code's next changes aim here).
FALSE_ALARM_CONDITIONS = {
    "online": lambda f: f["channel_online"] == 1,
    "no typical spend for the category": lambda f: f["typical_spend_known"] == 0,
    "new device": lambda f: f["new_device"] == 1,
    "geo velocity > 900 km/h": lambda f: f["geo_velocity_kmh"] > 900,
    "> 500 km from home": lambda f: f["distance_from_home_km"] > 500,
    "amount > 4x largest typical": lambda f: f["amount_vs_max_typical"] > 4,
}


def false_alarm_profile(d: Dataset, mask: np.ndarray) -> dict:
    n = int(mask.sum())
    if n == 0:
        return {"false_alarms": 0}
    cols = {name: d.X[mask, i] for i, name in enumerate(d.feature_names)}
    return {"false_alarms": n, **{k: round(float(cond(cols).mean()), 3) for k, cond in FALSE_ALARM_CONDITIONS.items()}}


def committed_scorer(models_dir: Path):
    meta = json.loads((models_dir / "fraud.metadata.json").read_text())
    session = ort.InferenceSession(str(models_dir / "fraud.onnx"), providers=["CPUExecutionProvider"])

    def score(X: np.ndarray) -> np.ndarray:
        return session.run([meta["output_name"]], {meta["input_name"]: X})[0][:, 1]

    return score, float(meta["threshold"]), meta["version"]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, required=True, help="directory with train.csv and one CSV per test world")
    ap.add_argument("--models", type=Path, default=Path("models"), help="where fraud.onnx and its metadata are")
    ap.add_argument("--out", type=Path, default=Path("models/eval"))
    ap.add_argument("--max-iter", type=int, default=200)
    ap.add_argument("--note", default="", help="one line about the run for the report (sizes, machine)")
    ap.add_argument("--write-model", type=Path, help="also write the candidate as fraud.onnx, fraud.metadata.json and parity.json into this directory")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)

    train = load(args.data / "train.csv")
    worlds = {w: load(args.data / f"{w}.csv") for w in TEST_WORLDS if (args.data / f"{w}.csv").exists()}
    progress(f"loaded train ({len(train.ids)} rows) and {', '.join(f'{w} ({len(d.ids)})' for w, d in worlds.items())}")
    candidate, fit_info = fit_candidate(train, args.max_iter)
    progress("candidate fitted")
    if args.write_model:
        from candidate_export import write_artifacts

        sample = worlds.get("messy") or next(iter(worlds.values()))
        meta = write_artifacts(args.write_model, candidate, CLIP, candidate.fit_X, candidate.fit_y, sample, train.feature_names, {"threshold_rule": f"highest validation recall with observed precision >= {VALIDATION_PRECISION}", "data": {"train": fit_info}})
        progress(f"wrote {meta['version']} to {args.write_model}")
    committed, committed_threshold, committed_version = committed_scorer(args.models)

    results: dict = {"fit": fit_info, "committed_version": committed_version, "worlds": {}, "leave_one_out": {}}
    for w, d in worlds.items():
        results["worlds"][w] = {
            "candidate": metrics(d, candidate.predict(d.X), candidate.threshold),
            "committed": metrics(d, committed(d.X), committed_threshold),
        }
    progress("worlds scored")

    # Leave one scenario out: trained without it, scored on every shifted world's payments of it.
    shifted = [d for w, d in worlds.items() if w != "classic"]
    pooled = Dataset(
        ids=sum((d.ids for d in shifted), []),
        cards=sum(([f"{i}:{c}" for c in d.cards] for i, d in enumerate(shifted)), []),
        times=np.concatenate([d.times for d in shifted]),
        labels=np.concatenate([d.labels for d in shifted]),
        scenarios=np.concatenate([d.scenarios for d in shifted]),
        X=np.concatenate([d.X for d in shifted]),
        feature_names=train.feature_names,
    )
    for s in sorted(set(train.scenarios) - {"normal"}):
        c, info = fit_candidate(train, args.max_iter, exclude=s)
        m = metrics(pooled, c.predict(pooled.X), c.threshold)
        results["leave_one_out"][s] = {"threshold": info["threshold"], **m["per_scenario"].get(s, {}), "pooled_fpr_legit": m["fpr_legit"], "pooled_precision": m["precision"]}
        progress(f"left out {s}")

    write_plots(args.out, results)
    write_report(args.out / "REPORT.md", results, args.note)
    for w in results["worlds"].values():
        for m in w.values():
            m.pop("_pr", None)
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    progress(f"wrote {args.out}/REPORT.md")


def write_plots(out: Path, r: dict) -> None:
    for who in ("candidate", "committed"):
        series = [(w, *r["worlds"][w][who]["_pr"]) for w in r["worlds"]]
        (out / f"pr-{who}.svg").write_text(line_chart(f"Precision-recall, {who} model", "recall", "precision", series))
        rel = [(w, [b["predicted"] for b in r["worlds"][w][who]["reliability"]], [b["observed"] for b in r["worlds"][w][who]["reliability"]]) for w in r["worlds"]]
        (out / f"reliability-{who}.svg").write_text(line_chart(f"Reliability, {who} model", "predicted probability", "observed fraud rate", rel, diagonal=True))
    scen = list(r["leave_one_out"])
    held = [r["leave_one_out"][s].get("episode_recall", float("nan")) for s in scen]
    pay = [r["leave_one_out"][s].get("recall", float("nan")) for s in scen]
    (out / "leave-one-out.svg").write_text(bar_chart("Held-out scenario recall (trained without it)", "recall", scen, [("payments", pay), ("episodes", held)], target=0.6))


def fmt(v) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:.3f}" if abs(v) >= 0.001 or v == 0 else f"{v:.2e}"
    return str(v)


def write_report(path: Path, r: dict, note: str) -> None:
    L = ["# Evaluation under shift", "", "Generated by `npm run eval` (models/evaluate.sh → src/fraud/evaluate/export-shift.ts → models/evaluate.py); do not edit by hand.", ""]
    if note:
        L += [note, ""]
    L += [
        "Test worlds are simulated with their own seeds and knobs (`src/fraud/simulator/shift-presets.ts`); the candidate is",
        f"fitted on the first 60% of the `train` world, Platt-calibrated and thresholded for observed precision {VALIDATION_PRECISION} on the next 25%",
        f"(observed labels: late and missing ones count as legitimate; the last 15%, whose labels are least mature, is not used). The committed model is `{r['committed_version']}` with its own threshold.",
        "",
        "## Headline per world",
        "",
        "| world | model | PR-AUC | recall @P0.9 | recall @P0.8 | precision | recall | FPR legit | ECE | saturated |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for w, both in r["worlds"].items():
        for who, m in both.items():
            L.append(f"| {w} | {who} | {fmt(m['pr_auc'])} | {fmt(m['recall_at_precision_0.9'])} | {fmt(m['recall_at_precision_0.8'])} | {fmt(m['precision'])} | {fmt(m['recall'])} | {m['fpr_legit'] * 100:.3f}% | {fmt(m['ece'])} | {m['saturated_share'] * 100:.2f}% |")
    L += ["", "Targets (issue 15): recall ≥ 0.85 at precision ≥ 0.9, FPR ≤ 0.2%, ECE ≤ 0.05 on each shifted world; held-out scenario recall ≥ 0.6.", ""]
    L += ["![PR candidate](pr-candidate.svg) ![PR committed](pr-committed.svg)", "", "![Reliability candidate](reliability-candidate.svg) ![Reliability committed](reliability-committed.svg)", ""]
    L += ["## Per scenario and per episode (candidate)", "", "| world | scenario | payments | recall | episodes | episode recall | payments before 1st alert (median) | minutes to 1st alert (median) |", "|---|---|---|---|---|---|---|---|"]
    for w, both in r["worlds"].items():
        for s, m in both["candidate"]["per_scenario"].items():
            L.append(f"| {w} | {s} | {m['payments']} | {fmt(m['recall'])} | {m['episodes']} | {fmt(m['episode_recall'])} | {fmt(m['median_payments_before_first_alert'])} | {fmt(m['median_minutes_to_first_alert'])} |")
    L += ["", "## Where the false alarms come from", "", "Share of each model's false alarms (legitimate payments at or above its threshold) with each condition.", ""]
    conds = list(FALSE_ALARM_CONDITIONS)
    L += ["| world | model | false alarms | " + " | ".join(conds) + " |", "|---|---|---|" + "---|" * len(conds)]
    for w, both in r["worlds"].items():
        for who, m in both.items():
            fa = m["false_alarm_profile"]
            L.append(f"| {w} | {who} | {fa['false_alarms']} | " + " | ".join(f"{fa[c] * 100:.0f}%" if c in fa else "–" for c in conds) + " |")
    L += ["", "## Per scenario (committed model)", "", "| world | scenario | recall | episode recall |", "|---|---|---|---|"]
    for w, both in r["worlds"].items():
        for s, m in both["committed"]["per_scenario"].items():
            L.append(f"| {w} | {s} | {fmt(m['recall'])} | {fmt(m['episode_recall'])} |")
    L += ["", "## Leave one scenario out", "", "Trained on `train` without the scenario, scored on the pooled shifted worlds' payments of it.", "", "| held-out scenario | payments | recall | episodes | episode recall | minutes to 1st alert | pooled FPR legit |", "|---|---|---|---|---|---|---|"]
    for s, m in r["leave_one_out"].items():
        L.append(f"| {s} | {m.get('payments', 0)} | {fmt(m.get('recall'))} | {m.get('episodes', 0)} | {fmt(m.get('episode_recall'))} | {fmt(m.get('median_minutes_to_first_alert'))} | {m['pooled_fpr_legit'] * 100:.3f}% |")
    L += ["", "![Leave one out](leave-one-out.svg)", ""]
    path.write_text("\n".join(L) + "\n")


if __name__ == "__main__":
    main()
