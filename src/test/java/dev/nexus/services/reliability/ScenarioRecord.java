package dev.nexus.services.reliability;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

/**
 * The figures of one reliability scenario, written as one JSON line to
 * {@code target/reliability/<scenario>.json} when the scenario ends (passed or not), so that a summary can be
 * printed (scripts/reliability) and docs/RELIABILITY.md filled from real runs. Fields: {@code scenario},
 * {@code mode} (short/long), {@code result} (pass/fail), {@code seconds}, {@code at}, the scenario's own
 * figures, and {@code failure} when it did not pass. Short mode is the default (CI);
 * {@code -Dnexus.reliability=long} asks for the long one.
 */
final class ScenarioRecord implements AutoCloseable {
    static final String MODE_PROPERTY = "nexus.reliability";

    private final String scenario;
    private final ObjectNode figures = Json.MAPPER.createObjectNode();
    private final long startedNanos = System.nanoTime();
    private boolean passed;
    private String skipReason;

    private ScenarioRecord(String scenario) {
        this.scenario = scenario;
        figures.put("scenario", scenario);
        figures.put("mode", longMode() ? "long" : "short");
        figures.put("result", "fail");
        figures.put("seconds", 0.0);
        figures.put("at", Instant.now().toString());
    }

    static ScenarioRecord start(String scenario) {
        return new ScenarioRecord(scenario);
    }

    static boolean longMode() {
        return "long".equalsIgnoreCase(System.getProperty(MODE_PROPERTY, "short").trim());
    }

    /** The short figure in CI, the long one on demand. */
    static int scaled(int shortValue, int longValue) {
        return longMode() ? longValue : shortValue;
    }

    /** The figures so far; add to them freely. */
    ObjectNode figures() {
        return figures;
    }

    ScenarioRecord put(String key, long value) {
        figures.put(key, value);
        return this;
    }

    ScenarioRecord put(String key, double value) {
        figures.put(key, Math.round(value * 1000) / 1000.0);
        return this;
    }

    ScenarioRecord put(String key, String value) {
        figures.put(key, value);
        return this;
    }

    ScenarioRecord put(String key, boolean value) {
        figures.put(key, value);
        return this;
    }

    /** Call as the last statement of a scenario that met every check. */
    void passed() {
        passed = true;
    }

    /** The scenario could not run here (the reason says what it needs). */
    void skipped(String reason) {
        skipReason = reason;
    }

    static Path directory() {
        String buildDir = System.getProperty("nexus.buildDir");
        Path base = buildDir != null ? Path.of(buildDir) : Path.of("target");
        return base.resolve("reliability");
    }

    @Override
    public void close() {
        figures.put("result", skipReason != null ? "skip" : passed ? "pass" : "fail");
        if (skipReason != null) {
            figures.put("failure", "skipped: " + skipReason);
        }
        figures.put("seconds", Math.round((System.nanoTime() - startedNanos) / 1e7) / 100.0);
        if (!passed && !figures.has("failure")) {
            figures.put("failure", "an assertion failed or the test was aborted (see target/failsafe-reports)");
        }
        try {
            Files.createDirectories(directory());
            Path file = directory().resolve(scenario + ".json");
            Files.writeString(file, Json.MAPPER.writeValueAsString(figures) + "\n");
            System.out.println("[" + scenario + "] figures: " + figures);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record the figures of " + scenario, e);
        }
    }
}
