package dev.nexus.services.logs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RedactorTest {
    private static final String TOKEN = "s3cr3t-T0KEN-value";

    @TempDir
    Path dir;

    @Test
    void replacesEveryOccurrenceInCompleteText() {
        Redactor redactor = Redactor.of(List.of(TOKEN));
        assertEquals("a=[redacted] b=[redacted]x", redactor.redact("a=" + TOKEN + " b=" + TOKEN + "x"));
        assertEquals("nothing here", redactor.redact("nothing here"));
    }

    @Test
    void ignoresEmptyBlankAndTooShortValuesAndSplitsMultiLineSecrets() {
        Redactor redactor = Redactor.of(Arrays.asList(null, "", "   ", "abc", "on", "€€€"));
        assertTrue(redactor.isEmpty());
        assertEquals("abc on €€€", redactor.redact("abc on €€€"));

        Redactor pem = Redactor.of(List.of("-----BEGIN KEY-----\nMIIEvQIBADANBgkq\r\nab\n-----END KEY-----"));
        assertEquals(3, pem.secretCount(), "three lines long enough, \"ab\" too short");
        assertEquals("[redacted]\nx [redacted] y\n[redacted]",
                pem.redact("-----BEGIN KEY-----\nx MIIEvQIBADANBgkq y\n-----END KEY-----"));
    }

    @Test
    void fourCharactersAreEnoughEvenWhenTheyAreMultiByte() {
        Redactor redactor = Redactor.of(List.of("äöüß"));
        assertFalse(redactor.isEmpty());
        assertEquals(8, redactor.longestSecretBytes());
        assertEquals("x[redacted]y", redactor.redact("xäöüßy"));
    }

    @Test
    void withoutSecretsNothingIsCopied() {
        byte[] data = "line with bytes \u00e4\n".getBytes(UTF_8);
        assertSame(data, Redactor.none().redact(data));
        assertSame(data, Redactor.of(List.of("xy")).redact(data), "too short secret means no redactor work");
        Redactor.Redaction r = Redactor.none().redactPrefix(data, 3, 5, true);
        assertSame(data, r.bytes());
        assertEquals(3, r.offset());
        assertEquals(5, r.length());
        assertEquals(5, r.consumed());
        assertSame(data, Redactor.of(List.of(TOKEN)).redact(data), "secrets but no match: no copy either");
    }

    @Test
    void longestSecretWinsWhereSeveralStartAtTheSamePlace() {
        Redactor redactor = Redactor.of(List.of("token", "token-long-one", "other-secret"));
        assertEquals("[redacted] [redacted] [redacted]-short [redacted]",
                redactor.redact("token-long-one token token-short other-secret"));
    }

    @Test
    void holdsBackOnlyWhatMayStillBecomeASecret() {
        Redactor redactor = Redactor.of(List.of(TOKEN));
        byte[] data = ("abc " + TOKEN.substring(0, 6)).getBytes(UTF_8);
        Redactor.Redaction held = redactor.redactPrefix(data, 0, data.length, true);
        assertEquals(4, held.consumed(), "the 6 bytes that begin the secret wait for more input");
        assertEquals("abc ", new String(held.bytes(), held.offset(), held.length(), UTF_8));

        Redactor.Redaction all = redactor.redactPrefix(data, 0, data.length, false);
        assertEquals(data.length, all.consumed(), "at the end of input a partial secret is just text");

        byte[] noStart = "abc s3x".getBytes(UTF_8);
        assertEquals(noStart.length, redactor.redactPrefix(noStart, 0, noStart.length, true).consumed());
    }

    @Test
    void secretSplitAcrossManyOneByteWritesIsRedacted() throws IOException {
        Path file = dir.resolve("one-byte.log");
        String text = "before " + TOKEN + " middle " + TOKEN + TOKEN + " after\nnext " + TOKEN + "\n";
        try (RotatingLogWriter writer = writer(file, TOKEN)) {
            for (byte b : text.getBytes(UTF_8)) {
                writer.write(b);
            }
        }
        assertEquals("before [redacted] middle [redacted][redacted] after\nnext [redacted]\n",
                Files.readString(file));
    }

    @Test
    void flushInTheMiddleOfASecretDoesNotLeakItsBeginning() throws IOException {
        Path file = dir.resolve("flush.log");
        try (RotatingLogWriter writer = writer(file, TOKEN)) {
            writer.write(("password prompt: " + TOKEN.substring(0, 7)).getBytes(UTF_8));
            writer.flush();
            assertEquals("password prompt: ", Files.readString(file), "flush pushes the partial line, "
                    + "except the bytes that may begin a secret");
            writer.write((TOKEN.substring(7) + " ok\n").getBytes(UTF_8));
        }
        assertEquals("password prompt: [redacted] ok\n", Files.readString(file));
    }

    @Test
    void secretStraddlingTheForcedCutOfALongLineIsRedacted() throws IOException {
        int limit = RotatingLogWriter.MAX_PENDING_BYTES;
        // Put the secret at many positions across the cut, written in chunks that do not align with it.
        for (int startBeforeCut = 1; startBeforeCut < TOKEN.length(); startBeforeCut += 3) {
            Path file = dir.resolve("cut-" + startBeforeCut + ".log");
            String head = "x".repeat(limit - startBeforeCut);
            String tail = "y".repeat(100) + "\n";
            try (RotatingLogWriter writer = writer(file, TOKEN)) {
                writeInChunks(writer, (head + TOKEN + tail).getBytes(UTF_8), 1000);
            }
            assertEquals(head + "[redacted]" + tail, Files.readString(file),
                    "secret starting " + startBeforeCut + " bytes before the cut");
        }
    }

    @Test
    void partialLinePast64KiBIsWrittenWithoutWaitingForItsEnd() throws IOException {
        Path file = dir.resolve("long-line.log");
        try (RotatingLogWriter writer = writer(file, TOKEN)) {
            writer.write("x".repeat(RotatingLogWriter.MAX_PENDING_BYTES + 10).getBytes(UTF_8));
            assertTrue(Files.size(file) >= RotatingLogWriter.MAX_PENDING_BYTES,
                    "file holds " + Files.size(file) + " bytes before the line ended");
        }
        assertEquals(RotatingLogWriter.MAX_PENDING_BYTES + 10, Files.size(file), "close writes the rest");
    }

    @Test
    void severalAndUnicodeSecretsAreRedactedAcrossWriteBoundaries() throws IOException {
        Path file = dir.resolve("unicode.log");
        String unicode = "pässwörd-€-🔑-秘密";
        String other = "ghp_abcdefghijklmnop";
        String text = "a " + unicode + " b " + other + " c 🔑 秘 " + unicode + "\n"
                + other + other + " d\n" + "ünïcödé without secrets\n";
        Redactor redactor = Redactor.of(List.of(unicode, other, "unrelated-secret"));
        byte[] data = text.getBytes(UTF_8);
        for (int chunk = 1; chunk <= 7; chunk++) {
            Files.deleteIfExists(file);
            try (RotatingLogWriter writer = new RotatingLogWriter(file, 1 << 20, 1, redactor)) {
                writeInChunks(writer, data, chunk);
            }
            assertEquals("a [redacted] b [redacted] c 🔑 秘 [redacted]\n[redacted][redacted] d\n"
                    + "ünïcödé without secrets\n", Files.readString(file), "chunks of " + chunk + " bytes");
        }
    }

    @Test
    void withoutSecretsTheBytesAreUnchanged() throws IOException {
        Random random = new Random(42);
        byte[] data = new byte[300_000];
        random.nextBytes(data); // includes invalid UTF-8, '\r', '\n' and lines far past 64 KiB
        for (int i = 0; i < data.length; i += 1 + random.nextInt(200)) {
            data[i] = '\n';
        }
        Arrays.fill(data, 100_000, 200_000, (byte) 'q'); // one line longer than the pending buffer
        Path file = dir.resolve("plain.log");
        try (RotatingLogWriter writer = new RotatingLogWriter(file, 10L << 20, 1, Redactor.none())) {
            int pos = 0;
            while (pos < data.length) {
                int n = Math.min(data.length - pos, 1 + random.nextInt(9000));
                writer.write(data, pos, n);
                pos += n;
                if (random.nextInt(10) == 0) {
                    writer.flush();
                }
            }
        }
        assertArrayEquals(data, Files.readAllBytes(file));
    }

    private static RotatingLogWriter writer(Path file, String... secrets) {
        return new RotatingLogWriter(file, 10L << 20, 2, Redactor.of(List.of(secrets)));
    }

    private static void writeInChunks(RotatingLogWriter writer, byte[] data, int chunk) throws IOException {
        for (int pos = 0; pos < data.length; pos += chunk) {
            writer.write(data, pos, Math.min(chunk, data.length - pos));
        }
    }
}
