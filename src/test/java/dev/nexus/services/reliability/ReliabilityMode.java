package dev.nexus.services.reliability;

import java.util.Locale;

/**
 * How hard the reliability suite pushes: {@code short} (the default, for CI: minutes) or {@code long}
 * (on demand, the numbers), chosen with {@code -Dnexus.reliability=long} (scripts/reliability
 * --long passes it).
 */
enum ReliabilityMode {
    SHORT, LONG;

    static final String PROPERTY = "nexus.reliability";

    static ReliabilityMode current() {
        String value = System.getProperty(PROPERTY, "short").trim().toLowerCase(Locale.ROOT);
        return switch (value) {
            case "", "short" -> SHORT;
            case "long" -> LONG;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + " must be short or long, got \"" + value + "\"");
        };
    }

    /** The figure for this mode. */
    <T> T pick(T shortValue, T longValue) {
        return this == SHORT ? shortValue : longValue;
    }

    String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
