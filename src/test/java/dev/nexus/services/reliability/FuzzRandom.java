package dev.nexus.services.reliability;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The seeded randomness of the fuzzers. A run has one base seed (printed, recorded, and settable with
 * {@code -Dnexus.fuzz.seed=N}); case {@code i} draws from its own generator seeded with
 * {@link #caseSeed(long, int)}, so one failing case replays alone with {@code -Dnexus.fuzz.replay=<case seed>}
 * whatever ran before it.
 */
final class FuzzRandom {
    static final String SEED_PROPERTY = "nexus.fuzz.seed";
    static final String REPLAY_PROPERTY = "nexus.fuzz.replay";

    private final SplittableRandom random;
    private final long seed;

    FuzzRandom(long seed) {
        this.seed = seed;
        this.random = new SplittableRandom(seed);
    }

    long seed() {
        return seed;
    }

    /** The run's base seed: the one asked for, else a fresh one (printed so that a failure can be rerun). */
    static long baseSeed(String scenario) {
        String given = System.getProperty(SEED_PROPERTY);
        long seed = given != null && !given.isBlank() ? Long.parseLong(given.trim()) : new SplittableRandom().nextLong();
        System.out.println("[" + scenario + "] base seed " + seed + " (rerun with -D" + SEED_PROPERTY + "=" + seed + ")");
        return seed;
    }

    /** {@code -Dnexus.fuzz.cases=N} overrides a fuzzer's case count (for a quick look while debugging). */
    static int cases(int defaultCount) {
        return Integer.getInteger("nexus.fuzz.cases", defaultCount);
    }

    /** The single case to replay, when {@code -Dnexus.fuzz.replay} asks for one. */
    static Long replaySeed() {
        String given = System.getProperty(REPLAY_PROPERTY);
        return given == null || given.isBlank() ? null : Long.parseLong(given.trim());
    }

    /** A well-mixed seed per case (SplitMix64 finaliser), so neighbouring cases are unrelated. */
    static long caseSeed(long base, int index) {
        long z = base + 0x9E3779B97F4A7C15L * (index + 1L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** How to rerun one case, for failure messages. */
    static String replayHint(long caseSeed) {
        return "case seed " + caseSeed + " (replay alone with -D" + REPLAY_PROPERTY + "=" + caseSeed + ")";
    }

    int nextInt(int bound) {
        return random.nextInt(bound);
    }

    int between(int fromInclusive, int toInclusive) {
        return random.nextInt(fromInclusive, toInclusive + 1);
    }

    long nextLong() {
        return random.nextLong();
    }

    boolean chance(double probability) {
        return random.nextDouble() < probability;
    }

    <T> T pick(List<T> items) {
        return items.get(random.nextInt(items.size()));
    }

    @SafeVarargs
    final <T> T oneOf(T... items) {
        return items[random.nextInt(items.length)];
    }

    byte[] bytes(int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = (byte) random.nextInt(256);
        }
        return b;
    }

    /** A string meant to upset a parser or a validator: empty, huge, control characters, odd Unicode. */
    String nastyString() {
        return switch (random.nextInt(16)) {
            case 0 -> "";
            case 1 -> " ";
            case 2 -> "x".repeat(between(1_000, 100_000));
            case 3 -> "\u0000\u0001\u001f\u007f";
            case 4 -> "\uD83D\uDD11 ünïcödé ✓ 名前";
            case 5 -> "\uD800"; // a lone surrogate: not encodable as UTF-8
            case 6 -> "../../../../etc/passwd";
            case 7 -> "~root/x";
            case 8 -> "credential:";
            case 9 -> "op://vault//field";
            case 10 -> "999999999d".repeat(between(1, 20));
            case 11 -> "-1s";
            case 12 -> "\n\r\t\"\\";
            case 13 -> "${HOME}$(id)`id`";
            case 14 -> "ws://[::1:bad/";
            default -> asciiWord(between(1, 50));
        };
    }

    String asciiWord(int length) {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append((char) ('a' + random.nextInt(26)));
        }
        return sb.toString();
    }

    /** Numbers JSON can write but Java types cannot all hold. */
    String nastyNumberText() {
        return oneOf("0", "-0", "1", "-1", "65536", "2147483648", "-2147483649", "9223372036854775807",
                "9223372036854775808", "-9223372036854775809", "123456789012345678901234567890", "1e400", "-1e400",
                "1e-400", "0.5", "1.0", "1E2", "3.4028235E39", "4.9e-324", "1" + "0".repeat(between(20, 2000)));
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
