package dev.nexus.services.tray.model;

import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.health.DisplayStatus;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What the tray icon shows: the worst display status over the enabled services, and the tooltip
 * "Nexus: 3 healthy, 1 down (cloud)".
 */
public record TraySummary(DisplayStatus status, String tooltip) {
    /** Windows cuts tray tooltips at 127 characters; stay under it everywhere. */
    public static final int MAX_TOOLTIP = 127;
    /** The order counts are listed in: good news first, then what needs attention. */
    private static final List<DisplayStatus> ORDER = List.of(DisplayStatus.HEALTHY, DisplayStatus.STARTING,
            DisplayStatus.DEGRADED, DisplayStatus.DOWN, DisplayStatus.UNKNOWN, DisplayStatus.STOPPED);

    public static TraySummary of(Collection<ServiceSnapshot> services, LinkStatus link, Instant now) {
        if (!link.connected()) {
            return new TraySummary(DisplayStatus.UNKNOWN, clip("Nexus: " + link.describe(now)));
        }
        List<ServiceSnapshot> enabled = services.stream().filter(ServiceSnapshot::enabled).toList();
        if (enabled.isEmpty()) {
            return new TraySummary(DisplayStatus.STOPPED, "Nexus: no services enabled");
        }
        DisplayStatus worst = DisplayStatus.worst(enabled.stream().map(ServiceSnapshot::status).toList());
        Map<DisplayStatus, List<String>> byStatus = new EnumMap<>(DisplayStatus.class);
        for (ServiceSnapshot s : enabled) {
            byStatus.computeIfAbsent(s.status(), k -> new ArrayList<>()).add(s.name());
        }
        List<String> parts = new ArrayList<>();
        for (DisplayStatus status : ORDER) {
            List<String> names = byStatus.get(status);
            if (names == null) {
                continue;
            }
            String part = names.size() + " " + status.label().toLowerCase(java.util.Locale.ROOT);
            // Name the services that need attention; "3 healthy" needs no list.
            if (status != DisplayStatus.HEALTHY && status != DisplayStatus.STOPPED) {
                part += " (" + String.join(", ", names) + ")";
            }
            parts.add(part);
        }
        return new TraySummary(worst, clip("Nexus: " + String.join(", ", parts)));
    }

    private static String clip(String text) {
        return text.length() <= MAX_TOOLTIP ? text : text.substring(0, MAX_TOOLTIP - 1) + "…";
    }
}
