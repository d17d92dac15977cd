package dev.nexus.services.tray.logs;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A test double for the file follower: records what the view model asked to follow and lets the test hand
 * over batches itself, so cap and search rules are checked line by line. The real LogFollower is exercised
 * in LogViewModelFollowTest and the window test.
 */
final class ManualLogFeed implements LogViewModel.LogFeed {
    record Followed(Path file, int initialLines, Consumer<List<String>> onBatch, boolean[] closed) {
        void push(String... lines) {
            onBatch.accept(List.of(lines));
        }

        boolean isClosed() {
            return closed[0];
        }
    }

    final List<Followed> followed = new ArrayList<>();

    @Override
    public AutoCloseable follow(Path file, int initialLines, Consumer<List<String>> onBatch) {
        boolean[] closed = {false};
        followed.add(new Followed(file, initialLines, onBatch, closed));
        return () -> closed[0] = true;
    }

    Followed last() {
        return followed.get(followed.size() - 1);
    }
}
