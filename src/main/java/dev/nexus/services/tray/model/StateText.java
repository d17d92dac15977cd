package dev.nexus.services.tray.model;

import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.health.FailureReason;
import java.time.Duration;
import java.time.Instant;

/** Turns a service snapshot into the words a row shows. Pure: the caller passes the time. */
public final class StateText {
    private static final String DOT = " · ";

    private StateText() {
    }

    public static RowText of(ServiceSnapshot s, Instant now) {
        if (!s.enabled()) {
            return same("Disabled");
        }
        return switch (s.lifecycle()) {
            case STOPPED -> same("Stopped");
            case STOPPING -> same("Stopping…");
            case STARTING -> same(s.attempt() > 0 ? "Starting… (attempt " + s.attempt() + ")" : "Starting…");
            case UNKNOWN -> withMessage("Unknown", s.message());
            case BACKOFF -> backoff(s, now);
            case CRASH_LOOP -> new RowText("Crash loop", "Crash loop", RowAction.RETRY_NOW);
            case FAILED -> failed(s);
            case RUNNING -> running(s, now);
        };
    }

    private static RowText backoff(ServiceSnapshot s, Instant now) {
        String attempt = s.attempt() > 0 ? " (attempt " + s.attempt() + ")" : "";
        if (s.nextRestartAt() == null) {
            return same("Restarting" + attempt);
        }
        long seconds = LinkStatus.secondsUntil(now, s.nextRestartAt());
        String when = seconds <= 0 ? "Restarting now" : "Restarting in " + humanizeCountdown(seconds);
        return new RowText(when + attempt, "Restarting" + attempt, null);
    }

    private static RowText failed(ServiceSnapshot s) {
        String message = s.message() == null ? "" : s.message();
        String reason = s.failure() == null ? "" : s.failure();
        if (reason.equals(FailureReason.BINARY_MISSING.id())) {
            // "nexus not found on PATH (/usr/bin:/bin)": the PATH itself is for the tooltip, not the row.
            return new RowText("Not installed: " + withoutParenthesisedTail(message), "Not installed", null);
        }
        if (reason.equals(FailureReason.CREDENTIALS.id())) {
            return new RowText("Waiting for credentials", "Waiting for credentials", RowAction.SET_CREDENTIAL);
        }
        if (reason.equals(FailureReason.PORT_IN_USE.id())) {
            return new RowText(message.isEmpty() ? "Port in use" : "Port in use: " + message, "Port in use", null);
        }
        if (reason.equals(FailureReason.CONFIG.id())) {
            return new RowText(message.isEmpty() ? "Configuration error" : "Configuration error: " + message,
                    "Configuration error", null);
        }
        if (reason.equals(FailureReason.START_TIMEOUT.id())) {
            return same("Did not start in time");
        }
        return withMessage("Failed", message);
    }

    private static RowText running(ServiceSnapshot s, Instant now) {
        String label = s.status().label();
        if ("job".equals(s.kind()) && s.job() != null) {
            return job(s, label);
        }
        switch (s.health()) {
            case DEGRADED, UNHEALTHY -> {
                return withMessage(label, s.message());
            }
            case STARTING -> {
                return same("Starting…");
            }
            default -> {
                StringBuilder sb = new StringBuilder(label);
                if (s.latencyMs() != null) {
                    sb.append(DOT).append(s.latencyMs()).append(" ms");
                }
                if (s.startedAt() != null) {
                    sb.append(DOT).append("up ").append(coarse(Duration.between(s.startedAt(), now)));
                }
                return new RowText(sb.toString(), label, null);
            }
        }
    }

    private static RowText job(ServiceSnapshot s, String label) {
        ServiceSnapshot.JobSnapshot job = s.job();
        if (job.running()) {
            return same("Checking now…");
        }
        if (job.updatesAvailable() != null && job.updatesAvailable() > 0) {
            String text = job.updatesAvailable() + (job.updatesAvailable() == 1 ? " update available" : " updates available");
            return same(text);
        }
        if (job.lastMessage() != null) {
            String text = capitalise(job.lastMessage());
            return new RowText(text, "failed".equals(job.lastOutcome()) ? "Last run failed" : text, null);
        }
        return same(label.equals("Unknown") ? "Scheduled" : label);
    }

    /** "3 h", "5 min", "12 s", "2 d": one unit is enough for an uptime at a glance. */
    static String coarse(Duration d) {
        long s = Math.max(0, d.getSeconds());
        if (s < 60) {
            return s + " s";
        }
        if (s < 3600) {
            return (s / 60) + " min";
        }
        if (s < 86_400) {
            return (s / 3600) + " h";
        }
        return (s / 86_400) + " d";
    }

    private static String humanizeCountdown(long seconds) {
        return seconds < 120 ? seconds + " s" : coarse(Duration.ofSeconds(seconds));
    }

    private static RowText same(String text) {
        return new RowText(text, text, null);
    }

    private static RowText withMessage(String label, String message) {
        if (message == null || message.isBlank()) {
            return same(label);
        }
        return new RowText(label + DOT + message, label, null);
    }

    private static String withoutParenthesisedTail(String message) {
        int open = message.lastIndexOf(" (");
        return open > 0 && message.endsWith(")") ? message.substring(0, open) : message;
    }

    private static String capitalise(String text) {
        return text.isEmpty() ? text : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }
}
