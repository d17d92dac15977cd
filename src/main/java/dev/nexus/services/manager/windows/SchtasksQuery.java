package dev.nexus.services.manager.windows;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What {@code schtasks /Query /TN <name> /FO LIST /V} says about one task. The tool translates its labels
 * and most values into the display language; the labels are read in English, and where they are not
 * English the fields are taken by position, which is fixed (HostName, TaskName, Next Run Time, Status,
 * Logon Mode, Last Run Time, Last Result, Author, Task To Run, …). The one value that reads the same in
 * every language is {@code Last Result}, where 267009 (0x41301, SCHED_S_TASK_RUNNING) means running. With
 * several triggers the tool repeats the block per trigger; the first block is read.
 *
 * @param status     "Running", "Ready", "Disabled", "Queued", "Could not start"; empty if absent
 * @param taskState  "Enabled" or "Disabled" (Scheduled Task State)
 * @param lastResult the last run's result: the process's exit code, or an HRESULT/SCHED_S_* code
 */
public record SchtasksQuery(String taskName, String status, String taskState, OptionalLong lastResult,
                            String lastRunTime, String taskToRun) {
    /** SCHED_S_TASK_RUNNING: the task is running. */
    public static final long TASK_RUNNING = 0x41301;
    /** SCHED_S_TASK_HAS_NOT_RUN. */
    public static final long TASK_HAS_NOT_RUN = 0x41303;
    /** SCHED_S_TASK_TERMINATED: the last run was ended by a user ({@code /End}). */
    public static final long TASK_TERMINATED = 0x41306;
    private static final Pattern LINE = Pattern.compile("^([^:]+):(?:\\s+(.*?))?\\s*$");

    public static SchtasksQuery parse(String output) {
        Map<String, String> fields = new LinkedHashMap<>();
        List<String> values = new ArrayList<>();
        for (String line : output.split("\\R")) {
            Matcher m = LINE.matcher(line.strip());
            if (m.matches()) {
                String value = m.group(2) == null ? "" : m.group(2);
                fields.putIfAbsent(m.group(1).strip(), value);
                values.add(value);
            }
        }
        if (fields.containsKey("Last Result")) {
            return new SchtasksQuery(fields.getOrDefault("TaskName", ""), fields.getOrDefault("Status", ""),
                    fields.getOrDefault("Scheduled Task State", ""), parseResult(fields.get("Last Result")),
                    fields.getOrDefault("Last Run Time", ""), fields.getOrDefault("Task To Run", ""));
        }
        // Another display language: the "Folder: \Nexus" header line (a path, like the task name after the
        // host name) comes first, then the fields in their fixed order.
        int first = values.size() > 2 && values.get(0).startsWith("\\") && !values.get(1).startsWith("\\") ? 1 : 0;
        return new SchtasksQuery(at(values, first + 1), at(values, first + 3), "", parseResult(at(values, first + 6)),
                at(values, first + 5), at(values, first + 8));
    }

    private static String at(List<String> values, int index) {
        return index < values.size() ? values.get(index) : "";
    }

    public boolean running() {
        return status.equalsIgnoreCase("Running") || lastResult.isPresent() && lastResult.getAsLong() == TASK_RUNNING;
    }

    public boolean disabled() {
        return status.equalsIgnoreCase("Disabled") || taskState.equalsIgnoreCase("Disabled");
    }

    /**
     * The last run's exit status, when there is one: not while running, not before the first run, and not
     * the scheduler's own SCHED_S_* codes (0x41300–0x4130F). HRESULTs of a failed start (0x80070002: the
     * program was not found) are kept, as the negative int the tool prints.
     */
    public OptionalInt lastExit() {
        if (running() || lastResult.isEmpty()) {
            return OptionalInt.empty();
        }
        long result = lastResult.getAsLong();
        if (result >= 0x41300 && result <= 0x4130F) {
            return OptionalInt.empty();
        }
        return OptionalInt.of((int) result);
    }

    /** "Running", "Ready, last result 1", "Disabled, last result 0x80070002". */
    public String describe() {
        StringBuilder text = new StringBuilder(status.isEmpty() ? "status unknown" : status);
        if (disabled() && !status.equalsIgnoreCase("Disabled")) {
            text.append(" (disabled)");
        }
        lastExit().ifPresent(code -> text.append(", last result ")
                .append(code >= 0 && code < 0x10000 ? Integer.toString(code) : String.format("0x%08X", code)));
        if (lastResult.isPresent() && lastResult.getAsLong() == TASK_TERMINATED) {
            text.append(", last run ended by a user");
        }
        return text.toString();
    }

    /** The tool prints the 32-bit result as signed or unsigned decimal depending on the version; both fit. */
    private static OptionalLong parseResult(String value) {
        if (value == null) {
            return OptionalLong.empty();
        }
        String v = value.strip();
        try {
            if (v.startsWith("0x") || v.startsWith("0X")) {
                return OptionalLong.of(Long.parseLong(v.substring(2), 16));
            }
            long parsed = Long.parseLong(v);
            return OptionalLong.of(parsed < 0 ? parsed & 0xFFFFFFFFL : parsed);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
