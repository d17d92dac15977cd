package dev.nexus.services.tray.model;

import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.health.DisplayStatus;
import java.time.Instant;
import java.util.List;

/**
 * One service as a popover row shows it.
 *
 * @param running       the toggle's position: the service runs or is meant to (starting, backing off)
 * @param controlsEnabled false while a command for it is in flight, while disabled, or while the engine is
 *                      unreachable
 * @param hasLogs       daemons and jobs write logs; connections do not
 * @param detail        the engine's own message, for a tooltip
 */
public record ServiceRow(String name, String displayName, String kind, DisplayStatus status, RowText text,
                         boolean running, boolean controlsEnabled, boolean hasLogs, boolean pending, String detail,
                         List<ChildRow> children) {
    public ServiceRow {
        children = List.copyOf(children);
    }

    /** A sub-component (the gateway's bridge, canvas, ...). */
    public record ChildRow(String name, String displayName, DisplayStatus status, String text) {
    }

    public static ServiceRow of(ServiceSnapshot s, boolean connected, boolean pending, Instant now) {
        List<ChildRow> children = s.children().stream().map(c -> new ChildRow(c.name(), c.displayName(), c.status(),
                childText(c))).toList();
        return new ServiceRow(s.name(), s.displayName(), s.kind(), s.status(), StateText.of(s, now),
                s.lifecycle().isActive(), connected && s.enabled() && !pending, !"connection".equals(s.kind()),
                pending, s.message(), children);
    }

    private static String childText(ServiceSnapshot.ChildSnapshot c) {
        StringBuilder sb = new StringBuilder(c.status().label());
        if (c.latencyMs() != null && c.status() == DisplayStatus.HEALTHY) {
            sb.append(" · ").append(c.latencyMs()).append(" ms");
        } else if (c.message() != null && !c.message().isBlank() && c.status() != DisplayStatus.HEALTHY) {
            sb.append(" · ").append(c.message());
        }
        return sb.toString();
    }
}
