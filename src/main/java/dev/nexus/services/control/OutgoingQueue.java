package dev.nexus.services.control;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Encoded frames waiting for a connection's writer thread, bounded by count and bytes. Producers never
 * wait: a full queue is reported to them so the connection can be dropped.
 */
final class OutgoingQueue {
    private final int maxFrames;
    private final long maxBytes;
    private final ArrayDeque<byte[]> frames = new ArrayDeque<>();
    private long queuedBytes;
    private boolean closed;
    private boolean finishing;

    OutgoingQueue(int maxFrames, long maxBytes) {
        this.maxFrames = maxFrames;
        this.maxBytes = maxBytes;
    }

    /**
     * Queues a frame. False only when the queue is full; after {@link #close()} frames are dropped and
     * true is returned, since the connection is already going away.
     */
    synchronized boolean offer(byte[] frame) {
        if (closed || finishing) {
            return true;
        }
        // A single frame above the byte cap still goes through on an empty queue: a large reply is
        // legitimate, only a backlog is not.
        if (frames.size() >= maxFrames || (!frames.isEmpty() && queuedBytes + frame.length > maxBytes)) {
            return false;
        }
        frames.addLast(frame);
        queuedBytes += frame.length;
        notifyAll();
        return true;
    }

    /**
     * Waits for frames and takes up to {@code maxBatch} of them. Returns null when the writer should
     * stop: the queue was closed, or it was asked to finish and is now drained.
     */
    synchronized List<byte[]> take(int maxBatch) throws InterruptedException {
        while (frames.isEmpty() && !closed && !finishing) {
            wait();
        }
        if (closed || frames.isEmpty()) {
            return null;
        }
        List<byte[]> batch = new ArrayList<>(Math.min(maxBatch, frames.size()));
        while (batch.size() < maxBatch && !frames.isEmpty()) {
            byte[] frame = frames.removeFirst();
            queuedBytes -= frame.length;
            batch.add(frame);
        }
        return batch;
    }

    /** Accept nothing more; the writer stops once what is queued has been taken. */
    synchronized void finish() {
        finishing = true;
        notifyAll();
    }

    /** Drop everything and stop the writer now. */
    synchronized void close() {
        closed = true;
        frames.clear();
        queuedBytes = 0;
        notifyAll();
    }

    synchronized int size() {
        return frames.size();
    }

    synchronized long bytes() {
        return queuedBytes;
    }
}
