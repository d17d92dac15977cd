package dev.nexus.services.tray.model;

/**
 * What a row (or a menu item) says about a service's state.
 *
 * @param summary      the full line: "Healthy · 12 ms · up 3 h", "Restarting in 8 s (attempt 3)"
 * @param shortSummary the same without numbers that change by themselves (latency, uptime, countdowns), so
 *                     a menu built from it is not rebuilt every second: "Healthy", "Restarting (attempt 3)"
 * @param action       a fix offered with it, or null
 */
public record RowText(String summary, String shortSummary, RowAction action) {
    /** The summary with the action appended: "Crash loop — Retry now". */
    public String text() {
        return action == null ? summary : summary + " — " + action.label();
    }

    public String shortText() {
        return action == null ? shortSummary : shortSummary + " — " + action.label();
    }
}
