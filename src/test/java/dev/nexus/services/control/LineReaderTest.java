package dev.nexus.services.control;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ReadableByteChannel;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class LineReaderTest {
    private static LineReader reader(String text, int max) {
        return new LineReader(Channels.newChannel(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8))), max);
    }

    private static String text(LineReader.Frame frame) {
        return new String(assertInstanceOf(LineReader.Line.class, frame).bytes(), StandardCharsets.UTF_8);
    }

    @Test
    void splitsOnNewlinesDropsCarriageReturnAndUnterminatedTail() throws IOException {
        LineReader lines = reader("one\ntwo\r\n\nthree", 100);
        assertEquals("one", text(lines.next()));
        assertEquals("two", text(lines.next()));
        assertEquals("", text(lines.next()));
        assertNull(lines.next(), "a last line without newline is truncated input and is dropped");
        assertNull(lines.next());
    }

    @Test
    void lineOfExactlyTheLimitPassesOneMoreByteIsOversized() throws IOException {
        LineReader lines = reader("abcd\nabcde\nok\n", 4);
        assertEquals("abcd", text(lines.next()));
        assertEquals(4, assertInstanceOf(LineReader.Oversized.class, lines.next()).limit());
        assertEquals("ok", text(lines.next()));
        assertNull(lines.next());
    }

    @Test
    void oversizedLineIsReportedOnceAndSkippedWithoutBufferingIt() throws IOException {
        long hugeLength = 50L * 1024 * 1024;
        int max = 1024 * 1024;
        LineReader lines = new LineReader(new HugeLineThenOk(hugeLength), max);

        assertInstanceOf(LineReader.Oversized.class, lines.next());
        assertTrue(lines.lineCapacity() <= max, "line buffer grew to " + lines.lineCapacity());
        assertEquals("{\"ok\":true}", text(lines.next()));
        assertTrue(lines.lineCapacity() <= 64 * 1024, "a large line buffer is released, was " + lines.lineCapacity());
        assertNull(lines.next());
    }

    @Test
    void linesSpanningManyReadsAreReassembled() throws IOException {
        String longLine = "x".repeat(200_000);
        LineReader lines = reader(longLine + "\nshort\n", 1 << 20);
        assertEquals(longLine, text(lines.next()));
        assertEquals("short", text(lines.next()));
    }

    /** Streams {@code length} bytes of 'a', a newline and one more line, without ever holding them. */
    private static final class HugeLineThenOk implements ReadableByteChannel {
        private final byte[] tail = "\n{\"ok\":true}\n".getBytes(StandardCharsets.US_ASCII);
        private final long length;
        private long produced;
        private int tailProduced;

        HugeLineThenOk(long length) {
            this.length = length;
        }

        @Override
        public int read(ByteBuffer destination) {
            int written = 0;
            while (destination.hasRemaining() && produced < length) {
                destination.put((byte) 'a');
                produced++;
                written++;
            }
            while (destination.hasRemaining() && produced >= length && tailProduced < tail.length) {
                destination.put(tail[tailProduced++]);
                written++;
            }
            return written == 0 && tailProduced == tail.length ? -1 : written;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void blankDetectionIgnoresSpacesTabsAndCarriageReturns() {
        assertTrue(new LineReader.Line(" \t\r".getBytes(StandardCharsets.US_ASCII)).isBlank());
        assertArrayEquals(new byte[] {'x'}, new LineReader.Line(new byte[] {'x'}).bytes());
        assertTrue(!new LineReader.Line(" x ".getBytes(StandardCharsets.US_ASCII)).isBlank());
    }
}
