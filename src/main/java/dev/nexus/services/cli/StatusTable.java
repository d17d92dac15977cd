package dev.nexus.services.cli;

import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.support.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Renders a snapshot as the aligned table people read in {@code status}, {@code up}, {@code start}. */
final class StatusTable {
    private static final String[] HEADERS = {"SERVICE", "MANAGER", "STATE", "HEALTH", "PID", "UPTIME", "RESTARTS",
        "LAST EXIT", "LATENCY", "DETAIL"};

    private StatusTable() {
    }

    static String render(EngineSnapshot snapshot, Terminal term) {
        return render(snapshot, term, ZoneId.systemDefault());
    }

    /** With times of day in {@code zone} (the user's own, outside tests). */
    static String render(EngineSnapshot snapshot, Terminal term, ZoneId zone) {
        StringBuilder out = new StringBuilder();
        out.append(engineLine(snapshot)).append('\n');
        String power = powerLine(snapshot, zone);
        if (power != null) {
            out.append(power).append('\n');
        }
        for (String problem : snapshot.engine().problems()) {
            out.append("warning: ").append(problem).append('\n');
        }
        List<String[]> rows = new ArrayList<>();
        List<DisplayStatus> statuses = new ArrayList<>();
        for (ServiceSnapshot s : snapshot.services()) {
            rows.add(row(s, snapshot.at()));
            statuses.add(s.status());
            for (ServiceSnapshot.ChildSnapshot c : s.children()) {
                rows.add(new String[] {"  └ " + c.name(), "", c.status().label().toLowerCase(Locale.ROOT), "", "", "",
                    "", "", c.latencyMs() == null ? "-" : c.latencyMs() + " ms", nz(c.message())});
                statuses.add(c.status());
            }
        }
        int[] widths = new int[HEADERS.length];
        for (int i = 0; i < HEADERS.length; i++) {
            widths[i] = HEADERS[i].length();
            for (String[] r : rows) {
                widths[i] = Math.max(widths[i], r[i].length());
            }
        }
        out.append("  ").append(term.bold(line(HEADERS, widths, term.width()))).append('\n');
        for (int i = 0; i < rows.size(); i++) {
            DisplayStatus st = statuses.get(i);
            boolean child = rows.get(i)[0].startsWith("  └");
            String badge = child ? " " : st.badge();
            out.append(term.paint(st, badge)).append(' ').append(line(rows.get(i), widths, term.width())).append('\n');
        }
        out.append(summary(snapshot.services())).append('\n');
        return out.toString();
    }

    private static String engineLine(EngineSnapshot snapshot) {
        EngineSnapshot.EngineInfo e = snapshot.engine();
        if (!e.supervising()) {
            return "Engine: not running — supervision is off; these are one-shot probes. "
                    + "Start it with: nexus-services up";
        }
        String up = e.startedAt() == null ? "" : ", up " + Durations.humanize(Duration.between(e.startedAt(), snapshot.at()));
        return "Engine: running (pid " + e.pid() + up + ", version " + e.version() + ")";
    }

    /**
     * The last sleep and wake and what recovery did: "Last wake: woke 12:03:05 after 2 h asleep
     * (logind): 4 probed, 1 restarted (cloud: liveness failed after grace)"; while the grace runs it
     * starts "Waking up:"; between a sleep announcement and the wake, "Going to sleep since ...".
     * Null when the engine has not seen a sleep or wake.
     */
    static String powerLine(EngineSnapshot snapshot, ZoneId zone) {
        EngineSnapshot.EngineInfo e = snapshot.engine();
        if (e.lastSleepAt() != null && (e.lastWakeAt() == null || e.lastSleepAt().isAfter(e.lastWakeAt()))) {
            return "Going to sleep since " + time(e.lastSleepAt(), snapshot.at(), zone) + ": probes paused";
        }
        var r = e.lastRecovery();
        if (r == null) {
            return null;
        }
        StringBuilder line = new StringBuilder(e.wakeGraceUntil() != null ? "Waking up: " : "Last wake: ");
        line.append("woke ").append(time(r.wokeAt(), snapshot.at(), zone));
        if (r.sleptAt() != null && r.sleptAt().isBefore(r.wokeAt())) {
            line.append(" after ").append(Durations.humanize(Duration.between(r.sleptAt(), r.wokeAt()))).append(" asleep");
        }
        line.append(" (").append(r.source()).append("): ").append(r.summary());
        if (e.wakeGraceUntil() != null) {
            line.append("; failures do not restart anything until ").append(time(e.wakeGraceUntil(), snapshot.at(), zone));
        }
        return line.toString();
    }

    /** "12:03:05" today, "2026-11-22 12:03:05" on another day. */
    private static String time(Instant at, Instant now, ZoneId zone) {
        boolean today = at.atZone(zone).toLocalDate().equals(now.atZone(zone).toLocalDate());
        return DateTimeFormatter.ofPattern(today ? "HH:mm:ss" : "yyyy-MM-dd HH:mm:ss").format(at.atZone(zone));
    }

    private static String[] row(ServiceSnapshot s, Instant now) {
        String state = s.lifecycle().name().toLowerCase(Locale.ROOT).replace('_', '-');
        if (s.lifecycle() == Lifecycle.FAILED && s.failure() != null) {
            state += " (" + s.failure() + ")";
        }
        String uptime = s.startedAt() == null || s.pid() == null ? "-"
                : Durations.humanize(Duration.between(s.startedAt(), now));
        return new String[] {s.name(), s.manager(), state, s.health().name().toLowerCase(Locale.ROOT),
            s.pid() == null ? "-" : String.valueOf(s.pid()), uptime, String.valueOf(s.restarts()),
            s.lastExit() == null ? "-" : s.lastExit(), s.latencyMs() == null ? "-" : s.latencyMs() + " ms",
            nz(s.message())};
    }

    private static String line(String[] cells, int[] widths, int maxWidth) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < cells.length; i++) {
            if (i == cells.length - 1) {
                sb.append(cells[i]);
            } else {
                sb.append(String.format("%-" + widths[i] + "s  ", cells[i]));
            }
        }
        String text = sb.toString().stripTrailing();
        return text.length() > maxWidth - 2 ? text.substring(0, Math.max(0, maxWidth - 3)) + "…" : text;
    }

    /** "3 healthy, 1 down (cloud)": counts of enabled services, naming the ones that need attention. */
    static String summary(List<ServiceSnapshot> services) {
        Map<DisplayStatus, List<String>> byStatus = new LinkedHashMap<>();
        for (ServiceSnapshot s : services) {
            if (s.enabled()) {
                byStatus.computeIfAbsent(s.status(), k -> new ArrayList<>()).add(s.name());
            }
        }
        List<String> parts = new ArrayList<>();
        for (DisplayStatus st : new DisplayStatus[] {DisplayStatus.HEALTHY, DisplayStatus.STARTING,
            DisplayStatus.DEGRADED, DisplayStatus.DOWN, DisplayStatus.UNKNOWN, DisplayStatus.STOPPED}) {
            List<String> names = byStatus.get(st);
            if (names == null) {
                continue;
            }
            String part = names.size() + " " + st.label().toLowerCase(Locale.ROOT);
            if (st != DisplayStatus.HEALTHY) {
                part += " (" + String.join(", ", names) + ")";
            }
            parts.add(part);
        }
        return parts.isEmpty() ? "No enabled services." : String.join(", ", parts);
    }

    /** True when every enabled service is healthy: the exit code of {@code status}. */
    static boolean allHealthy(List<ServiceSnapshot> services) {
        return services.stream().filter(ServiceSnapshot::enabled).allMatch(s -> s.status() == DisplayStatus.HEALTHY);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }
}
