package dev.nexus.services.manager.launchd;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code launchctl print gui/<uid>/<label>} says about a job, read best effort: Apple documents the
 * output as "not API", so only the few top-level lines that have been stable since launchctl 2 (macOS
 * 10.10) are read, and nothing else is assumed. Lines inside nested blocks ({@code environment = {…}},
 * {@code resource coalition = {…}}, which have their own {@code state =} lines) are skipped by tracking
 * the braces, not by counting tabs.
 *
 * @param state        "running", "not running", "waiting", "spawn scheduled", "SIGTERMed"…; empty if absent
 * @param pid          the job's process while it runs
 * @param runs         how many times launchd spawned it since it was loaded
 * @param lastExit     the last exit status; empty before the first exit ("(never exited)") or after a signal
 * @param lastExitText the line as printed ("78: EX_CONFIG", "(never exited)"), for the detail
 * @param lastSignal   "Terminated: 15" when the last run ended by a signal
 */
public record LaunchctlPrint(String state, OptionalLong pid, OptionalInt runs, OptionalInt lastExit,
                             String lastExitText, String lastSignal) {
    private static final Pattern KEY_VALUE = Pattern.compile("^\\s*([A-Za-z][A-Za-z0-9 ()_-]*?)\\s+=\\s+(.*?)\\s*$");
    private static final Pattern LEADING_INT = Pattern.compile("^(-?\\d+)");

    public static LaunchctlPrint parse(String output) {
        Map<String, String> top = new LinkedHashMap<>();
        int depth = 0;
        for (String raw : output.split("\\R")) {
            String line = raw.strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.equals("}")) {
                depth = Math.max(0, depth - 1);
                continue;
            }
            boolean opens = line.endsWith("{");
            if (depth == 1 && !opens) {
                Matcher kv = KEY_VALUE.matcher(line);
                if (kv.matches()) {
                    top.putIfAbsent(kv.group(1), kv.group(2));
                }
            }
            if (opens) {
                depth++;
            }
        }
        String lastExitText = top.getOrDefault("last exit code", "");
        return new LaunchctlPrint(top.getOrDefault("state", ""), parseLong(top.get("pid")),
                parseInt(top.get("runs")), parseInt(lastExitText), lastExitText,
                top.getOrDefault("last terminating signal", ""));
    }

    /** The state launchd reports, without checking that the process exists. */
    public boolean saysRunning() {
        return state.equals("running") && pid.isPresent();
    }

    /** launchd's "runs" counts spawns; every spawn after the first was a restart. */
    public OptionalInt restarts() {
        return runs.isPresent() ? OptionalInt.of(Math.max(0, runs.getAsInt() - 1)) : OptionalInt.empty();
    }

    private static OptionalLong parseLong(String value) {
        return leadingNumber(value).flatMap(n -> {
            try {
                return Optional.of(OptionalLong.of(Long.parseLong(n)));
            } catch (NumberFormatException tooLarge) {
                return Optional.empty();
            }
        }).orElse(OptionalLong.empty());
    }

    private static OptionalInt parseInt(String value) {
        return leadingNumber(value).flatMap(n -> {
            try {
                return Optional.of(OptionalInt.of(Integer.parseInt(n)));
            } catch (NumberFormatException tooLarge) {
                return Optional.empty();
            }
        }).orElse(OptionalInt.empty());
    }

    private static Optional<String> leadingNumber(String value) {
        if (value == null) {
            return Optional.empty();
        }
        Matcher m = LEADING_INT.matcher(value);
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }
}
