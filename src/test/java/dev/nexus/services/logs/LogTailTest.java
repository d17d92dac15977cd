package dev.nexus.services.logs;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTailTest {
    @TempDir
    Path dir;

    private final AtomicLong bytesRead = new AtomicLong();
    private final LogTail.ChannelOpener counting = file -> new CountingChannel(
            FileChannel.open(file, StandardOpenOption.READ), bytesRead);

    @Test
    void lastLinesOfASmallFile() throws IOException {
        Path file = write("app.log", "one\ntwo\n\nfour\nfive\n");
        assertEquals(List.of("four", "five"), LogTail.lastLines(file, 2));
        assertEquals(List.of("one", "two", "", "four", "five"), LogTail.lastLines(file, 100));
        assertEquals(List.of(), LogTail.lastLines(file, 0));
    }

    @Test
    void finalLineWithoutNewlineCrlfAndLeadingEmptyLine() throws IOException {
        assertEquals(List.of("a", "b", "partial"), LogTail.lastLines(write("a.log", "a\r\nb\r\npartial"), 5));
        assertEquals(List.of("", "x"), LogTail.lastLines(write("b.log", "\nx\n"), 5));
        assertEquals(List.of(""), LogTail.lastLines(write("c.log", "\n"), 5));
        assertEquals(List.of("only"), LogTail.lastLines(write("d.log", "only"), 5));
        assertEquals(List.of(), LogTail.lastLines(write("e.log", ""), 5));
        assertEquals(List.of("cr\r inside", "end"), LogTail.lastLines(write("f.log", "cr\r inside\r\nend\r\n"), 5),
                "only the '\\r' of a line ending goes");
    }

    @Test
    void decodesUtf8LenientlyAndKeepsCharactersWhole() throws IOException {
        Path file = dir.resolve("bytes.log");
        byte[] bad = {'o', 'k', (byte) 0xC3, '\n', (byte) 0xFF, (byte) 0xFE, '\n'};
        byte[] good = "grüße 🔑\n".getBytes(UTF_8);
        byte[] all = Arrays.copyOf(bad, bad.length + good.length);
        System.arraycopy(good, 0, all, bad.length, good.length);
        Files.write(file, all);
        assertEquals(List.of("ok\uFFFD", "\uFFFD\uFFFD", "grüße 🔑"), LogTail.lastLines(file, 3));
    }

    @Test
    void missingFileIsEmptyAndNegativeCountIsRejected() throws IOException {
        Path file = dir.resolve("never.log");
        assertEquals(List.of(), LogTail.lastLines(file, 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LogTail.lastLines(file, -1));
        assertTrue(e.getMessage().contains("never.log"), e.getMessage());
    }

    @Test
    void continuesIntoRotatedFilesUpToTheFirstMissingOne() throws IOException {
        Path file = write("app.log", "7\n8\n");
        write("app.log.1", "4\n5\n6\n");
        write("app.log.2", "1\n2\n3\n");
        write("app.log.4", "after a gap: not read\n");
        assertEquals(List.of("6", "7", "8"), LogTail.lastLines(file, 3));
        assertEquals(List.of("3", "4", "5", "6", "7", "8"), LogTail.lastLines(file, 6));
        assertEquals(List.of("1", "2", "3", "4", "5", "6", "7", "8"), LogTail.lastLines(file, 100));

        Files.delete(file); // just rotated: the new file does not exist yet
        assertEquals(List.of("5", "6"), LogTail.lastLines(file, 2));
    }

    @Test
    void lastLinesOfA50MegabyteFileReadOnlyTheEnd() throws IOException {
        Path file = dir.resolve("big.log");
        int lines = 1_400_000;
        try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            for (int i = 0; i < lines; i++) {
                out.write(line(i).getBytes(UTF_8));
                out.write('\n');
            }
        }
        assertTrue(Files.size(file) > 50_000_000L, "file has " + Files.size(file) + " bytes");
        write("big.log.1", "older file must not be touched\n");

        List<String> last = LogTail.lastLines(file, 500, counting);

        List<String> expected = new ArrayList<>();
        for (int i = lines - 500; i < lines; i++) {
            expected.add(line(i));
        }
        assertEquals(expected, last);
        // 500 lines of ~40 bytes fit in one block: exactly one block read, not the file.
        assertEquals(LogTail.BLOCK_BYTES, bytesRead.get());
    }

    @Test
    void readsOnlyTheBlocksHoldingTheRequestedLines() throws IOException {
        Path file = dir.resolve("app.log");
        StringBuilder content = new StringBuilder();
        for (int i = 0; i < 100_000; i++) {
            content.append(line(i)).append('\n');
        }
        Files.writeString(file, content);
        int n = 10_000; // ~400 KB of lines
        List<String> last = LogTail.lastLines(file, n, counting);
        assertEquals(line(100_000 - n), last.get(0));
        assertEquals(line(99_999), last.get(n - 1));
        long needed = (long) n * (line(0).length() + 1);
        assertTrue(bytesRead.get() <= needed + LogTail.BLOCK_BYTES,
                "read " + bytesRead.get() + " bytes for " + needed + " bytes of lines");
    }

    @Test
    void aHugeLineComesInPiecesAndDoesNotMakeTheReaderLoadIt() throws IOException {
        Path file = dir.resolve("app.log");
        String huge = "€".repeat(5_000_000); // 15 MB on one line, 3 bytes per character
        Files.writeString(file, "before\n" + huge + "\nafter\n");
        List<String> last = LogTail.lastLines(file, 3, counting);
        assertEquals("after", last.get(2));
        assertTrue(bytesRead.get() <= 3L * Lines.MAX_LINE_BYTES, "read " + bytesRead.get() + " bytes");
        for (String piece : last.subList(0, 2)) {
            assertTrue(piece.matches("€+"), "pieces are cut between characters");
            assertTrue(piece.getBytes(UTF_8).length <= Lines.MAX_LINE_BYTES);
        }
        // Asking for everything gives the line back whole when the pieces are joined.
        List<String> all = LogTail.lastLines(file, 1_000);
        assertEquals("before", all.get(0));
        assertEquals("after", all.get(all.size() - 1));
        String joined = String.join("", all.subList(1, all.size() - 1));
        assertTrue(huge.equals(joined), "joined pieces differ: " + joined.length() + " chars, "
                + joined.chars().filter(c -> c != '€').count() + " of them not '€'");
    }

    @Test
    void agreesWithSplittingTheWholeFileForRandomContent() throws IOException {
        Random random = new Random(7);
        for (int round = 0; round < 20; round++) {
            StringBuilder content = new StringBuilder();
            List<String> lines = new ArrayList<>();
            int count = 1 + random.nextInt(400);
            for (int i = 0; i < count; i++) {
                // Some long lines (≤ 3 bytes per char, so below the 64 KiB piece size) to straddle blocks.
                int length = random.nextInt(10) == 0 ? random.nextInt(21_000) : random.nextInt(80);
                String line = randomText(random, length);
                lines.add(line);
                content.append(line).append(random.nextBoolean() ? "\n" : "\r\n");
            }
            boolean finalNewline = random.nextBoolean();
            if (!finalNewline) {
                content.setLength(content.length() - (content.charAt(content.length() - 2) == '\r' ? 2 : 1));
            }
            Path file = write("random-" + round + ".log", content.toString());
            int n = random.nextInt(count + 5);
            List<String> expected = lines.subList(Math.max(0, count - n), count);
            assertEquals(expected, LogTail.lastLines(file, n), "round " + round + ", n=" + n);
        }
    }

    private static String randomText(Random random, int length) {
        StringBuilder sb = new StringBuilder(length);
        String alphabet = "abcxyz 0189-_äöü€✓";
        for (int i = 0; i < length; i++) {
            sb.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return sb.toString();
    }

    private static String line(int i) {
        return "2025-01-01T00:00:00Z line " + (100_000_000 + i) + " ok"; // fixed width
    }

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    /** Counts what really comes off the disk, so the test can hold the reader to reading only the end. */
    private static final class CountingChannel implements SeekableByteChannel {
        private final SeekableByteChannel delegate;
        private final AtomicLong counter;

        CountingChannel(SeekableByteChannel delegate, AtomicLong counter) {
            this.delegate = delegate;
            this.counter = counter;
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            int n = delegate.read(dst);
            if (n > 0) {
                counter.addAndGet(n);
            }
            return n;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new UnsupportedOperationException("read only");
        }

        @Override
        public long position() throws IOException {
            return delegate.position();
        }

        @Override
        public SeekableByteChannel position(long newPosition) throws IOException {
            delegate.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return delegate.size();
        }

        @Override
        public SeekableByteChannel truncate(long size) {
            throw new UnsupportedOperationException("read only");
        }

        @Override
        public boolean isOpen() {
            return delegate.isOpen();
        }

        @Override
        public void close() throws IOException {
            delegate.close();
        }
    }
}
