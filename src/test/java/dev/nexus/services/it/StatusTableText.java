package dev.nexus.services.it;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the human status table back into cells, by the column starts of its header line. That the cells
 * come out right is itself the check that the table is aligned.
 */
final class StatusTableText {
    static final List<String> COLUMNS = List.of("SERVICE", "MANAGER", "STATE", "HEALTH", "PID", "UPTIME", "RESTARTS",
            "LAST EXIT", "LATENCY", "DETAIL");
    private static final String BADGES = "✔!…?✖■";

    private final List<String> lines;
    private final List<Map<String, String>> rows = new ArrayList<>();

    private StatusTableText(String text) {
        this.lines = text.lines().toList();
        int header = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).startsWith("  SERVICE ")) {
                header = i;
                break;
            }
        }
        if (header < 0) {
            throw new AssertionError("no table header in:\n" + text);
        }
        String head = lines.get(header);
        int[] starts = new int[COLUMNS.size()];
        int from = 0;
        for (int c = 0; c < COLUMNS.size(); c++) {
            starts[c] = head.indexOf(COLUMNS.get(c), from);
            if (starts[c] < 0) {
                throw new AssertionError("column " + COLUMNS.get(c) + " is missing or out of order in: " + head);
            }
            from = starts[c] + COLUMNS.get(c).length();
        }
        for (int i = header + 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.length() < 2 || BADGES.indexOf(line.charAt(0)) < 0 || line.charAt(1) != ' ') {
                continue; // child items (no badge) and the summary
            }
            Map<String, String> row = new LinkedHashMap<>();
            for (int c = 0; c < COLUMNS.size(); c++) {
                int start = Math.min(starts[c], line.length());
                int end = c + 1 < COLUMNS.size() ? Math.min(starts[c + 1], line.length()) : line.length();
                row.put(COLUMNS.get(c), line.substring(start, end).trim());
            }
            row.put("badge", line.substring(0, 1));
            rows.add(row);
        }
    }

    static StatusTableText parse(String text) {
        return new StatusTableText(text);
    }

    List<Map<String, String>> rows() {
        return rows;
    }

    List<String> services() {
        return rows.stream().map(r -> r.get("SERVICE")).toList();
    }

    Optional<Map<String, String>> find(String service) {
        return rows.stream().filter(r -> r.get("SERVICE").equals(service)).findFirst();
    }

    Map<String, String> row(String service) {
        return find(service).orElseThrow(() -> new AssertionError("no row for " + service + " in:\n"
                + String.join("\n", lines)));
    }

    /** The last line: "3 healthy, 1 stopped (cloud)". */
    String summary() {
        return lines.get(lines.size() - 1);
    }
}
