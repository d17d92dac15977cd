package dev.nexus.services.credentials;

import java.util.Objects;

/**
 * Whether a store can be used here, and in words why (or why not), for {@code credential where} and
 * {@code doctor}.
 */
public record Availability(boolean available, String reason) {
    public Availability {
        Objects.requireNonNull(reason, "reason");
    }

    public static Availability yes(String reason) {
        return new Availability(true, reason);
    }

    public static Availability no(String reason) {
        return new Availability(false, reason);
    }
}
