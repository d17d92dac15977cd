package dev.nexus.services.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/** Order statistics of a list of measurements (nearest-rank percentiles). */
record Stats(int n, double median, double p90, double mean, double min, double max) {
    static Stats of(List<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no measurements");
        }
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        double median = n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
        double p90 = v.get((int) Math.ceil(0.9 * n) - 1);
        double mean = v.stream().mapToDouble(Double::doubleValue).average().orElseThrow();
        return new Stats(n, median, p90, mean, v.get(0), v.get(n - 1));
    }

    String describe(String unit) {
        return String.format(Locale.ROOT, "median %.1f %s, p90 %.1f %s, mean %.1f, min %.1f, max %.1f (n=%d)",
                median, unit, p90, unit, mean, min, max, n);
    }
}
