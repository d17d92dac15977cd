package dev.nexus.services.catalog;

import dev.nexus.services.support.Quoted;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sizes as written in the catalog: "10MB", "512KB", "1GB", "300B". Units are binary (1KB = 1024 bytes),
 * as log sizes have always been counted; "KiB"/"MiB"/"GiB" and bare "K"/"M"/"G" are accepted too.
 */
public final class ByteSizes {
    private static final Pattern SIZE = Pattern.compile("(\\d{1,15})\\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?",
            Pattern.CASE_INSENSITIVE);
    private static final long KB = 1024;
    private static final long MB = KB * 1024;
    private static final long GB = MB * 1024;

    private ByteSizes() {
    }

    /** Parses a size; the exception message says what is wrong with the text. */
    public static long parse(String text) {
        Matcher m = SIZE.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("expected a size such as \"10MB\", \"512KB\" or a number of bytes, got "
                    + Quoted.of(text));
        }
        long n = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2).toLowerCase(Locale.ROOT);
        long factor = switch (unit.charAt(0)) {
            case 'k' -> KB;
            case 'm' -> MB;
            case 'g' -> GB;
            default -> 1;
        };
        if (n > Long.MAX_VALUE / factor) {
            throw new IllegalArgumentException("size " + Quoted.of(text) + " is too large");
        }
        return n * factor;
    }

    /** The shortest exact text {@link #parse} reads back to the same size: "10MB", "1536KB", "1000B". */
    public static String format(long bytes) {
        if (bytes != 0) {
            if (bytes % GB == 0) {
                return bytes / GB + "GB";
            }
            if (bytes % MB == 0) {
                return bytes / MB + "MB";
            }
            if (bytes % KB == 0) {
                return bytes / KB + "KB";
            }
        }
        return bytes + "B";
    }
}
