package dev.nexus.services.reliability;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a fuzzer found. By default the first failing case stops the run (its seed is in the message);
 * with {@code -Dnexus.fuzz.collect=true} the run goes on and every distinct kind of failure is reported
 * at the end, with the first case seed of each and how often it came up.
 */
final class FuzzFailures {
    static final String COLLECT_PROPERTY = "nexus.fuzz.collect";

    private final String scenario;
    private final boolean collect = Boolean.getBoolean(COLLECT_PROPERTY);
    private final Map<String, List<AssertionError>> byKind = new LinkedHashMap<>();

    FuzzFailures(String scenario) {
        this.scenario = scenario;
    }

    /** Records a failing case; rethrows it at once unless collecting. */
    void add(AssertionError failure) {
        if (!collect) {
            throw failure;
        }
        String message = String.valueOf(failure.getMessage());
        // Messages start with what went wrong and end with the case: the start is the kind.
        String kind = message.replaceAll("[0-9]+", "#");
        kind = kind.length() > 70 ? kind.substring(0, 70) : kind;
        byKind.computeIfAbsent(kind, k -> new ArrayList<>()).add(failure);
    }

    int count() {
        return byKind.values().stream().mapToInt(List::size).sum();
    }

    void rethrow() {
        if (byKind.isEmpty()) {
            return;
        }
        StringBuilder report = new StringBuilder(scenario + ": " + count() + " failing cases of " + byKind.size()
                + " kinds:");
        for (List<AssertionError> cases : byKind.values()) {
            String first = String.valueOf(cases.get(0).getMessage());
            report.append("\n\n[").append(cases.size()).append("×] ")
                    .append(first.length() > 1500 ? first.substring(0, 1500) + "…" : first);
        }
        AssertionError all = new AssertionError(report.toString());
        byKind.values().forEach(list -> all.addSuppressed(list.get(0)));
        throw all;
    }
}
