package dev.nexus.services.connect;

import dev.nexus.services.supervise.Backoff;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * When to try a lost connection again: gRPC-style backoff, 1 s × 1.6 per failure with ±20 % jitter,
 * capped at 30 s for a loopback endpoint (a local gateway comes back quickly and nobody else pays for
 * our retries) and at 120 s, gRPC's own cap, for a remote one. Reset after a successful connect.
 * Thread-safe; pure logic (no clock, no sleeping), so tests check the delays directly.
 */
public final class ReconnectPolicy {
    public static final Duration INITIAL_DELAY = Duration.ofSeconds(1);
    public static final double MULTIPLIER = 1.6;
    public static final double JITTER = 0.2;
    public static final Duration LOOPBACK_MAX_DELAY = Duration.ofSeconds(30);
    public static final Duration REMOTE_MAX_DELAY = Duration.ofSeconds(120);

    private final Backoff backoff;
    private final RandomGenerator random;
    private int failures;

    public ReconnectPolicy(Backoff backoff, RandomGenerator random) {
        this.backoff = backoff;
        this.random = random;
    }

    /** The standard backoff for {@code url}: loopback or remote cap. */
    public static Backoff backoffFor(URI url) {
        return new Backoff(INITIAL_DELAY, MULTIPLIER, isLoopback(url) ? LOOPBACK_MAX_DELAY : REMOTE_MAX_DELAY, JITTER);
    }

    /**
     * True for localhost and loopback literals. Names are not resolved: this decides a retry cap and
     * must never wait for DNS.
     */
    public static boolean isLoopback(URI url) {
        String host = url.getHost();
        if (host == null) {
            return false;
        }
        host = host.toLowerCase(Locale.ROOT);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.equals("localhost") || host.endsWith(".localhost") || host.startsWith("127.")
                || host.equals("::1") || host.equals("0:0:0:0:0:0:0:1");
    }

    /** The wait before the next try, counting this failure. */
    public synchronized Duration nextDelay() {
        Duration d = backoff.delay(failures, random);
        if (failures < Integer.MAX_VALUE) {
            failures++;
        }
        return d;
    }

    /** A successful connect (or a wake, or a user's retry): the next failure waits the initial delay again. */
    public synchronized void reset() {
        failures = 0;
    }

    /** Failures since the last reset. */
    public synchronized int failures() {
        return failures;
    }

    public Backoff backoff() {
        return backoff;
    }
}
