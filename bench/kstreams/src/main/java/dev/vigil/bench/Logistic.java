package dev.vigil.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The fixed-weights logistic score both sides use in the comparison (no ONNX), and the same
 * occlusion reasons as Vigil's explain.ts: for each feature away from its baseline, the drop in
 * clamped log-odds when it is set back to the baseline; the strongest 3 above 0.25, else the
 * strongest one. The weights file is written by bench/latency (name, weight, baseline, text).
 */
final class Logistic {
  private static final double EPSILON = 1e-7;
  final String[] names;
  final double[] weights;
  final double[] baseline;
  final String[] descriptions;
  final double bias;
  final double threshold;
  final String version;

  private Logistic(List<String[]> rows, double bias, double threshold, String version) {
    int n = rows.size();
    names = new String[n];
    weights = new double[n];
    baseline = new double[n];
    descriptions = new String[n];
    for (int i = 0; i < n; i++) {
      String[] r = rows.get(i);
      names[i] = r[0];
      weights[i] = Double.parseDouble(r[1]);
      baseline[i] = Double.parseDouble(r[2]);
      descriptions[i] = r[3];
    }
    this.bias = bias;
    this.threshold = threshold;
    this.version = version;
  }

  static Logistic load(Path file) throws IOException {
    double bias = 0, threshold = 0.5;
    String version = "";
    List<String[]> rows = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      String[] f = line.split("\t");
      switch (f[0]) {
        case "#bias" -> bias = Double.parseDouble(f[1]);
        case "#threshold" -> threshold = Double.parseDouble(f[1]);
        case "#version" -> version = f[1];
        default -> rows.add(f);
      }
    }
    return new Logistic(rows, bias, threshold, version);
  }

  double score(double[] x) {
    double z = bias;
    for (int i = 0; i < x.length; i++) z += weights[i] * x[i];
    return 1 / (1 + Math.exp(-z));
  }

  static double logOdds(double p) {
    double q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
    return Math.log(q / (1 - q));
  }

  List<Messages.Reason> reasons(double[] x, double score) {
    double z = logOdds(score);
    List<double[]> ranked = new ArrayList<>();
    for (int i = 0; i < x.length; i++) {
      if (x[i] == baseline[i]) continue;
      double[] occluded = x.clone();
      occluded[i] = baseline[i];
      ranked.add(new double[] {i, z - logOdds(score(occluded))});
    }
    ranked.sort((a, b) -> a[1] != b[1] ? Double.compare(b[1], a[1]) : Double.compare(a[0], b[0]));
    List<Messages.Reason> out = new ArrayList<>();
    for (double[] r : ranked) if (r[1] >= 0.25 && out.size() < 3) out.add(reason((int) r[0], x, r[1]));
    if (out.isEmpty() && !ranked.isEmpty()) out.add(reason((int) ranked.get(0)[0], x, ranked.get(0)[1]));
    return out;
  }

  private Messages.Reason reason(int i, double[] x, double contribution) {
    double v = x[i];
    String shown = v == Math.rint(v) && !Double.isInfinite(v) ? String.valueOf((long) v) : String.format("%.2f", v);
    return new Messages.Reason(names[i], v, contribution, descriptions[i] + ": " + shown);
  }
}
