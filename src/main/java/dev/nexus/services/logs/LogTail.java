package dev.nexus.services.logs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

/**
 * The last lines of a log, read backwards from the end in blocks: the cost depends on the lines asked for,
 * never on the size of the file. When the file holds fewer lines than asked, reading continues into the
 * rotated files {@code file.1}, {@code file.2} … (stopping at the first one missing).
 *
 * <p>Lines end with '\n' or "\r\n" (the terminator is not part of the line); a last line without a
 * terminator counts as a line. Bytes are decoded as UTF-8, malformed sequences becoming U+FFFD. A line longer
 * than 64 KiB is returned as several pieces of at most 64 KiB, split between characters, so one huge line
 * cannot make the reader load a whole file. Each file is read on its own: a line cut by rotation appears as
 * two lines.
 *
 * <p>Reading races with a writer that rotates: a rotation during the call may show a few lines twice or not
 * at all; for a view that must not miss lines, use {@link LogFollower}.
 */
public final class LogTail {
    static final int BLOCK_BYTES = 64 * 1024;

    /** Opens a file for reading; a seam so tests can count the bytes a read really takes. */
    @FunctionalInterface
    interface ChannelOpener {
        SeekableByteChannel open(Path file) throws IOException;
    }

    static final ChannelOpener FILES = file -> FileChannel.open(file, StandardOpenOption.READ);

    private LogTail() {
    }

    /**
     * Up to {@code n} last lines of {@code file} and its rotated predecessors, oldest first. A missing file
     * counts as empty.
     *
     * @throws IOException when a file exists but cannot be read; the message names the file
     */
    public static List<String> lastLines(Path file, int n) throws IOException {
        return lastLines(file, n, FILES);
    }

    static List<String> lastLines(Path file, int n, ChannelOpener opener) throws IOException {
        if (n < 0) {
            throw new IllegalArgumentException("number of lines must be 0 or more, got " + n + " for " + file);
        }
        Deque<String> newestFirst = new ArrayDeque<>();
        collect(file, 0, n, opener, newestFirst);
        return oldestFirst(newestFirst);
    }

    /** Adds to {@code newestFirst} the last lines of {@code file.<fromIndex>}, {@code file.<fromIndex+1>} … */
    static void collect(Path file, int fromIndex, int n, ChannelOpener opener, Deque<String> newestFirst)
            throws IOException {
        for (int i = fromIndex; newestFirst.size() < n; i++) {
            Path path = LogFiles.rotated(file, i);
            try (SeekableByteChannel channel = opener.open(path)) {
                collectBackwards(channel, channel.size(), n, newestFirst);
            } catch (NoSuchFileException e) {
                if (i > 0) {
                    return;
                }
                // The current file may not exist yet right after a rotation; its predecessors still count.
            } catch (IOException e) {
                throw new IOException("cannot read log " + path + ": " + e.getMessage(), e);
            }
        }
    }

    static List<String> oldestFirst(Deque<String> newestFirst) {
        List<String> lines = new ArrayList<>(newestFirst);
        Collections.reverse(lines);
        return lines;
    }

    /**
     * Adds lines of {@code channel[0, end)}, newest first, to {@code newestFirst} until it holds {@code n}.
     * Reads blocks backwards from {@code end}; only the blocks holding those lines are read.
     */
    static void collectBackwards(SeekableByteChannel channel, long end, int n, Deque<String> newestFirst)
            throws IOException {
        if (end <= 0 || newestFirst.size() >= n) {
            return;
        }
        ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(BLOCK_BYTES, end));
        byte[] block = buffer.array();
        // Bytes of the line being assembled that lie in blocks after the current one.
        byte[] carry = new byte[0];
        long blockStart = end;
        while (blockStart > 0) {
            int length = (int) Math.min(block.length, blockStart);
            blockStart -= length;
            if (!readFully(channel, buffer, blockStart, length)) {
                return; // truncated while reading: what was collected stays valid
            }
            int segmentEnd = length;
            for (int k = length - 1; k >= 0; k--) {
                if (block[k] == '\n') {
                    if (blockStart + k == end - 1) {
                        segmentEnd = k; // the terminator of the last line, not the start of an empty one
                        continue;
                    }
                    newestFirst.addLast(line(block, k + 1, segmentEnd, carry));
                    carry = new byte[0];
                    segmentEnd = k;
                } else if (segmentEnd - k + carry.length > Lines.MAX_LINE_BYTES) {
                    // Byte k would make the line too long: hand out what follows it as a piece of its own,
                    // starting at a character (the first byte that is not a continuation byte).
                    int inBlock = segmentEnd - (k + 1);
                    int total = inBlock + carry.length;
                    int start = 0;
                    while (start < total && Lines.isContinuationByte(
                            start < inBlock ? block[k + 1 + start] : carry[start - inBlock])) {
                        start++;
                    }
                    if (start == total) {
                        start = 0; // not UTF-8 text at all: cut anywhere
                    }
                    if (start <= inBlock) {
                        newestFirst.addLast(line(block, k + 1 + start, segmentEnd, carry));
                        carry = new byte[0];
                        segmentEnd = k + 1 + start;
                    } else {
                        int keep = start - inBlock;
                        newestFirst.addLast(Lines.decode(carry, keep, carry.length - keep));
                        carry = Arrays.copyOf(carry, keep);
                    }
                } else {
                    continue;
                }
                if (newestFirst.size() >= n) {
                    return;
                }
            }
            carry = concat(block, 0, segmentEnd, carry);
        }
        newestFirst.addLast(Lines.decode(carry, 0, carry.length)); // the file's first line
    }

    /**
     * Where the last complete line of {@code channel[0, size)} ends: just after its last '\n'. A trailing
     * partial line shorter than {@link Lines#MAX_LINE_BYTES} is excluded (a follower waits for its end);
     * a longer one counts as complete, matching how lines are cut into pieces.
     */
    static long endOfCompleteLines(SeekableByteChannel channel, long size) throws IOException {
        long searchFrom = Math.max(0, size - Lines.MAX_LINE_BYTES);
        int length = (int) (size - searchFrom);
        ByteBuffer buffer = ByteBuffer.allocate(length);
        if (!readFully(channel, buffer, searchFrom, length)) {
            return size;
        }
        byte[] bytes = buffer.array();
        for (int k = length - 1; k >= 0; k--) {
            if (bytes[k] == '\n') {
                return searchFrom + k + 1;
            }
        }
        return searchFrom == 0 ? 0 : size;
    }

    private static boolean readFully(SeekableByteChannel channel, ByteBuffer buffer, long position, int length)
            throws IOException {
        buffer.clear().limit(length);
        channel.position(position);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer) < 0) {
                return false;
            }
        }
        return true;
    }

    private static String line(byte[] block, int from, int to, byte[] carry) {
        if (carry.length == 0) {
            return Lines.decode(block, from, to - from);
        }
        byte[] whole = concat(block, from, to, carry);
        return Lines.decode(whole, 0, whole.length);
    }

    private static byte[] concat(byte[] block, int from, int to, byte[] carry) {
        byte[] whole = new byte[to - from + carry.length];
        System.arraycopy(block, from, whole, 0, to - from);
        System.arraycopy(carry, 0, whole, to - from, carry.length);
        return whole;
    }
}
