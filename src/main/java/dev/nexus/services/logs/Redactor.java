package dev.nexus.services.logs;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Replaces secret values with {@value #REPLACEMENT} in UTF-8 byte data. Immutable and thread-safe.
 *
 * <p>Matching is byte-wise on the UTF-8 encoding, leftmost first; where several secrets start at the same
 * position the longest wins (so a secret that contains another is replaced whole). A secret that spans
 * several lines (a PEM key in an environment variable) is registered line by line: log output is handled a
 * line at a time, and each of its lines on its own is still secret.
 *
 * <p>With no secrets every method returns its input untouched without copying, which is the common case.
 */
public final class Redactor {
    public static final String REPLACEMENT = "[redacted]";

    /**
     * Shorter values are not treated as secrets. Redacting "on", "1" or "abc" would shred every line of a log
     * into "[redacted]" fragments, and a value that short protects nothing anyway (it is guessable); such
     * values typically come from configuration that merely passes through the credential machinery.
     */
    public static final int MIN_SECRET_CHARS = 4;

    private static final byte[] REPLACEMENT_BYTES = REPLACEMENT.getBytes(StandardCharsets.UTF_8);
    private static final Redactor NONE = new Redactor(List.of());

    /** Secrets by their first byte, longest first; null where no secret starts with that byte. */
    private final byte[][][] byFirstByte = new byte[256][][];
    private final int count;
    private final int longestBytes;

    private Redactor(List<byte[]> secrets) {
        count = secrets.size();
        longestBytes = secrets.stream().mapToInt(s -> s.length).max().orElse(0);
        List<List<byte[]>> buckets = new ArrayList<>(256);
        for (int i = 0; i < 256; i++) {
            buckets.add(null);
        }
        for (byte[] secret : secrets) {
            int first = secret[0] & 0xFF;
            if (buckets.get(first) == null) {
                buckets.set(first, new ArrayList<>());
            }
            buckets.get(first).add(secret);
        }
        for (int i = 0; i < 256; i++) {
            List<byte[]> bucket = buckets.get(i);
            if (bucket != null) {
                bucket.sort(Comparator.comparingInt((byte[] s) -> s.length).reversed());
                byFirstByte[i] = bucket.toArray(new byte[0][]);
            }
        }
    }

    /** A redactor that changes nothing. */
    public static Redactor none() {
        return NONE;
    }

    /**
     * A redactor for the given secret values. Null, blank and too short values (see {@link #MIN_SECRET_CHARS})
     * are ignored; multi-line values are split into their lines.
     */
    public static Redactor of(Collection<String> secrets) {
        Objects.requireNonNull(secrets, "secrets");
        Set<String> accepted = new LinkedHashSet<>();
        for (String secret : secrets) {
            if (secret == null) {
                continue;
            }
            for (String line : secret.split("\r\n|\r|\n")) {
                if (!line.isBlank() && line.codePointCount(0, line.length()) >= MIN_SECRET_CHARS) {
                    accepted.add(line);
                }
            }
        }
        if (accepted.isEmpty()) {
            return NONE;
        }
        List<byte[]> encoded = new ArrayList<>();
        for (String secret : accepted) {
            encoded.add(secret.getBytes(StandardCharsets.UTF_8));
        }
        return new Redactor(encoded);
    }

    public boolean isEmpty() {
        return count == 0;
    }

    /** How many distinct secret values (lines) this redactor looks for. */
    public int secretCount() {
        return count;
    }

    /** Length in UTF-8 bytes of the longest secret; 0 when there is none. */
    public int longestSecretBytes() {
        return longestBytes;
    }

    /** Redacts complete data; returns {@code data} itself when nothing had to be replaced. */
    public byte[] redact(byte[] data) {
        Redaction r = redactPrefix(data, 0, data.length, false);
        if (r.bytes() == data) {
            return data;
        }
        return Arrays.copyOfRange(r.bytes(), r.offset(), r.offset() + r.length());
    }

    public String redact(String text) {
        if (isEmpty()) {
            return text;
        }
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        byte[] redacted = redact(bytes);
        return redacted == bytes ? text : new String(redacted, StandardCharsets.UTF_8);
    }

    /**
     * Redacts a prefix of a stream of bytes. When {@code moreFollows} is true, the scan stops at the first
     * position where a secret might begin but the data ends before it could be told apart; those bytes are
     * not consumed, and the caller passes them again in front of the bytes that follow. At most
     * {@link #longestSecretBytes()} − 1 bytes are held back that way. With {@code moreFollows} false
     * everything is consumed.
     *
     * @return the redacted output for the consumed input; the very input array when nothing was replaced
     */
    public Redaction redactPrefix(byte[] data, int offset, int length, boolean moreFollows) {
        Objects.checkFromIndexSize(offset, length, data.length);
        if (count == 0) {
            return new Redaction(data, offset, length, length);
        }
        int end = offset + length;
        int runStart = offset;
        int i = offset;
        ByteArrayOutputStream out = null;
        scan:
        while (i < end) {
            byte[][] candidates = byFirstByte[data[i] & 0xFF];
            if (candidates != null) {
                for (byte[] secret : candidates) {
                    int matched = matchedBytes(data, i, end, secret);
                    if (matched == secret.length) {
                        if (out == null) {
                            out = new ByteArrayOutputStream(length + REPLACEMENT_BYTES.length);
                        }
                        out.write(data, runStart, i - runStart);
                        out.write(REPLACEMENT_BYTES, 0, REPLACEMENT_BYTES.length);
                        i += secret.length;
                        runStart = i;
                        continue scan;
                    }
                    if (i + matched == end && moreFollows) {
                        // This (longer, so preferred) secret may still complete with the bytes to come.
                        break scan;
                    }
                }
            }
            i++;
        }
        int consumed = i - offset;
        if (out == null) {
            return new Redaction(data, offset, consumed, consumed);
        }
        out.write(data, runStart, i - runStart);
        return new Redaction(out.toByteArray(), 0, out.size(), consumed);
    }

    /** How many bytes of {@code secret} match at {@code data[at…end)}, stopping at the first difference. */
    private static int matchedBytes(byte[] data, int at, int end, byte[] secret) {
        int n = Math.min(secret.length, end - at);
        for (int k = 0; k < n; k++) {
            if (data[at + k] != secret[k]) {
                return k;
            }
        }
        return n;
    }

    @Override
    public String toString() {
        // Never the values themselves: this may end up in a log line.
        return "Redactor[" + count + " secrets]";
    }

    /**
     * Output of {@link #redactPrefix}: {@code bytes[offset, offset+length)} replaces the first {@code consumed}
     * input bytes.
     */
    public record Redaction(byte[] bytes, int offset, int length, int consumed) {
    }
}
