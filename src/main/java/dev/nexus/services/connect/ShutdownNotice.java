package dev.nexus.services.connect;

import dev.nexus.services.support.Quoted;
import java.time.Duration;
import java.time.Instant;

/**
 * A {@code shutdown} event: {@code {"reason":…,"restartExpectedMs":…}}. With an expected restart time
 * the gateway is restarting on purpose (an update, a config change) and will be back; without one it
 * is stopping.
 */
public record ShutdownNotice(String reason, Duration restartExpected, Instant at) {
    private static final int MAX_REASON_CHARS = 200;

    public boolean restarting() {
        return restartExpected != null;
    }

    /** "gateway restarting (config changed)", "gateway stopping (SIGTERM)". */
    public String describe() {
        String r = reason == null || reason.isBlank() ? null : reason;
        String base = restarting() ? "gateway restarting" : "gateway stopping";
        if (r == null || r.equalsIgnoreCase(base)) {
            return base;
        }
        return base + " (" + Quoted.clean(r, MAX_REASON_CHARS) + ")";
    }
}
