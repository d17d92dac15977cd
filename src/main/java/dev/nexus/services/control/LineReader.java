package dev.nexus.services.control;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;
import java.util.Arrays;

/**
 * Splits a byte stream into {@code \n}-terminated lines without ever holding more than one line of at
 * most {@code maxLineBytes}: the rest of a longer line is read and dropped, never buffered.
 */
final class LineReader {
    /** What {@link #next()} found. */
    sealed interface Frame permits Line, Oversized {
    }

    /** A complete line, newline (and a {@code \r} before it) removed. */
    record Line(byte[] bytes) implements Frame {
        boolean isBlank() {
            for (byte b : bytes) {
                if (b != ' ' && b != '\t' && b != '\r') {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * A line that grew past the limit. Reported as soon as the limit is crossed; the remainder up to and
     * including the next newline is then skipped silently.
     */
    record Oversized(int limit) implements Frame {
    }

    private static final int READ_BUFFER_BYTES = 64 * 1024;
    private static final int INITIAL_LINE_BYTES = 4 * 1024;
    /** A line buffer grown beyond this is dropped after use, so one big request does not pin memory. */
    private static final int RETAINED_LINE_BYTES = 64 * 1024;

    private final ReadableByteChannel channel;
    private final int maxLineBytes;
    private final ByteBuffer buffer = ByteBuffer.allocate(READ_BUFFER_BYTES).flip();
    private byte[] line = new byte[INITIAL_LINE_BYTES];
    private int lineLength;
    private boolean skipping;

    LineReader(ReadableByteChannel channel, int maxLineBytes) {
        this.channel = channel;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next frame, or null at end of stream (an unterminated last line is dropped). */
    Frame next() throws IOException {
        while (true) {
            while (buffer.hasRemaining()) {
                byte[] array = buffer.array();
                int start = buffer.position();
                int limit = buffer.limit();
                int newline = indexOfNewline(array, start, limit);
                int end = newline < 0 ? limit : newline;
                buffer.position(newline < 0 ? limit : newline + 1);

                if (skipping) {
                    if (newline >= 0) {
                        skipping = false;
                    }
                    continue;
                }
                int chunk = end - start;
                if ((long) lineLength + chunk > maxLineBytes) {
                    resetLine();
                    skipping = newline < 0;
                    return new Oversized(maxLineBytes);
                }
                append(array, start, chunk);
                if (newline >= 0) {
                    int length = lineLength;
                    if (length > 0 && line[length - 1] == '\r') {
                        length--;
                    }
                    Line complete = new Line(Arrays.copyOf(line, length));
                    resetLine();
                    return complete;
                }
            }
            buffer.clear();
            int read = channel.read(buffer);
            buffer.flip();
            if (read < 0) {
                return null;
            }
        }
    }

    /** Bytes currently reserved for the line being assembled (for tests of the memory bound). */
    int lineCapacity() {
        return line.length;
    }

    private static int indexOfNewline(byte[] array, int from, int to) {
        for (int i = from; i < to; i++) {
            if (array[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private void append(byte[] source, int offset, int length) {
        int needed = lineLength + length;
        if (needed > line.length) {
            int grown = (int) Math.min(Math.max((long) line.length * 2, needed), maxLineBytes);
            line = Arrays.copyOf(line, grown);
        }
        System.arraycopy(source, offset, line, lineLength, length);
        lineLength = needed;
    }

    private void resetLine() {
        lineLength = 0;
        if (line.length > RETAINED_LINE_BYTES) {
            line = new byte[INITIAL_LINE_BYTES];
        }
    }
}
