package dev.nexus.services.reliability;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The figures one reliability scenario measured, written when it ends (passed or not) as one JSON
 * line to {@code <build dir>/reliability/<scenario>.json}; scripts/reliability prints them and
 * docs/RELIABILITY.md is written from them. Fields: {@code scenario}, {@code mode} (short/long),
 * {@code result} (pass/fail), {@code seconds} (wall time), {@code at}, then the scenario's own figures,
 * and on failure {@code failure} (the first line of the assertion). A scenario that could not run here
 * has result {@code skip} and its reason in {@code failure}. How long a scenario runs depends on
 * {@link ReliabilityMode} ({@code -Dnexus.reliability=long}).
 *
 * <pre>
 *   ScenarioFigures.run("kill-storm", figures -> {
 *       ... figures.put("kills", 30); ...
 *   });
 * </pre>
 *
 * A scenario that spans several tests opens its figures with {@link #start}, calls {@link #passed()} (or
 * {@link #skipped}) and closes them itself.
 */
final class ScenarioFigures implements AutoCloseable {
    private final String scenario;
    private final ObjectNode node = Json.MAPPER.createObjectNode();
    private final long began = System.nanoTime();
    private boolean passed;
    private String failure;
    private String skipReason;

    private ScenarioFigures(String scenario) {
        this.scenario = scenario;
        node.put("scenario", scenario);
        node.put("mode", ReliabilityMode.current().id());
        node.put("result", "fail");
        node.put("seconds", 0.0);
        node.put("at", Instant.now().toString());
    }

    /** What a scenario does; it records its figures as it goes. */
    @FunctionalInterface
    interface Body {
        void run(ScenarioFigures figures) throws Exception;
    }

    /** Runs the scenario and writes its figures: result pass when it returns, fail with the reason when it throws. */
    static void run(String scenario, Body body) throws Exception {
        try (ScenarioFigures figures = start(scenario)) {
            try {
                body.run(figures);
            } catch (Exception | Error e) {
                figures.failed(e);
                throw e;
            }
            figures.passed();
        }
    }

    /** Opens the figures of a scenario that is not one {@link #run} body; {@link #close()} writes them. */
    static ScenarioFigures start(String scenario) {
        return new ScenarioFigures(scenario);
    }

    /** The scenario met every check (what {@link #run} says when its body returns). */
    void passed() {
        passed = true;
    }

    /** The scenario could not run here; the reason says what it needs. */
    void skipped(String reason) {
        skipReason = reason;
    }

    /** Where the figures of every scenario go: {@code <nexus.buildDir>/reliability}. */
    static Path directory() {
        String build = System.getProperty("nexus.buildDir");
        return Path.of(build != null ? build : "target").resolve("reliability");
    }

    ScenarioFigures put(String field, long value) {
        node.put(field, value);
        return this;
    }

    ScenarioFigures put(String field, double value) {
        node.put(field, Math.round(value * 1000) / 1000.0);
        return this;
    }

    ScenarioFigures put(String field, String value) {
        node.put(field, value);
        return this;
    }

    ScenarioFigures put(String field, boolean value) {
        node.put(field, value);
        return this;
    }

    /** A map or list (counts by name, states, file names), kept as JSON (the summary table leaves it out). */
    ScenarioFigures putJson(String field, Object value) {
        node.set(field, Json.MAPPER.valueToTree(value));
        return this;
    }

    ScenarioFigures put(String field, Duration value) {
        return put(field + "Ms", value.toMillis());
    }

    ScenarioFigures putAll(String field, Collection<? extends Number> values) {
        ArrayNode array = node.putArray(field);
        values.forEach(v -> array.add(v.doubleValue()));
        return this;
    }

    /** Median, 95th percentile and maximum of {@code millis}, as {@code <field>MedianMs} etc. */
    ScenarioFigures putDistribution(String field, List<Long> millis) {
        if (millis.isEmpty()) {
            return this;
        }
        List<Long> sorted = millis.stream().sorted().toList();
        put(field + "MedianMs", percentile(sorted, 0.5));
        put(field + "P95Ms", percentile(sorted, 0.95));
        put(field + "MaxMs", sorted.get(sorted.size() - 1));
        return this;
    }

    static long percentile(List<Long> sorted, double p) {
        int index = (int) Math.ceil(p * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index)));
    }

    private void failed(Throwable why) {
        String message = String.valueOf(why.getMessage());
        failure = message.lines().findFirst().orElse(why.getClass().getSimpleName());
    }

    @Override
    public void close() {
        node.put("result", skipReason != null ? "skip" : passed ? "pass" : "fail");
        node.put("seconds", Math.round((System.nanoTime() - began) / 1e7) / 100.0);
        if (skipReason != null) {
            node.put("failure", "skipped: " + skipReason);
        } else if (!passed) {
            node.put("failure", failure != null ? failure : "an assertion failed or the test was aborted (see the test report)");
        }
        try {
            Files.createDirectories(directory());
            Files.writeString(directory().resolve(scenario + ".json"),
                    Json.MAPPER.writeValueAsString(node) + "\n", StandardCharsets.UTF_8);
            System.out.println("[" + scenario + "] figures: " + node);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the figures of " + scenario, e);
        }
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s %s", scenario, node);
    }
}
