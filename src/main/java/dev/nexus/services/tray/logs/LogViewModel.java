package dev.nexus.services.tray.logs;

import dev.nexus.services.logs.LogFollower;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyIntegerWrapper;
import javafx.beans.property.ReadOnlyLongProperty;
import javafx.beans.property.ReadOnlyLongWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The log viewer's state: which log is shown, its newest lines, search and follow.
 *
 * <ul>
 *   <li>Lines come from a {@link LogFeed} (a {@link LogFollower}: the last lines first, then new ones as they
 *       are written, across rotations) in batches, each applied on the {@code ui} executor at once.</li>
 *   <li>At most {@code maxLines} lines are kept: the oldest are dropped from the view (they stay in the file),
 *       so a large or busy log never fills the memory.</li>
 *   <li>Search is case-insensitive; matches are counted, can be stepped through (wrapping around), and can
 *       filter the view. Stepping to a match pauses following so the match stays where it is.</li>
 *   <li>While paused, new lines wait (also capped) and are shown on resume.</li>
 * </ul>
 * Every method and property is for the UI thread; file work runs on {@code background}.
 */
public final class LogViewModel {
    public static final int DEFAULT_MAX_LINES = 10_000;
    private static final Logger LOG = LoggerFactory.getLogger(LogViewModel.class);
    private static final Comparator<LogLine> BY_SEQ = Comparator.comparingLong(LogLine::seq);

    /** Where lines come from: follows a file, handing over batches on its own thread. */
    @FunctionalInterface
    public interface LogFeed {
        AutoCloseable follow(Path file, int initialLines, Consumer<List<String>> onBatch) throws IOException;
    }

    /** The real feed: a {@link LogFollower}, whose first batch is the tail read with LogTail. */
    public static final LogFeed FOLLOWER = LogFollower::start;

    private final LogFeed feed;
    private final Executor background;
    private final Executor ui;
    private final int maxLines;

    private final ObservableList<LogSource> sources = FXCollections.observableArrayList();
    private final ReadOnlyObjectWrapper<LogSource> source = new ReadOnlyObjectWrapper<>(this, "source");
    private final ReadOnlyBooleanWrapper stderr = new ReadOnlyBooleanWrapper(this, "stderr");
    private final ObservableList<LogLine> lines = FXCollections.observableArrayList();
    private final FilteredList<LogLine> visibleLines = new FilteredList<>(lines, line -> true);
    private final StringProperty query = new SimpleStringProperty(this, "query", "");
    private final BooleanProperty onlyMatches = new SimpleBooleanProperty(this, "onlyMatches");
    private final BooleanProperty paused = new SimpleBooleanProperty(this, "paused");
    private final ReadOnlyIntegerWrapper matchCount = new ReadOnlyIntegerWrapper(this, "matchCount");
    private final ReadOnlyIntegerWrapper currentMatchNumber = new ReadOnlyIntegerWrapper(this, "currentMatchNumber");
    private final ReadOnlyObjectWrapper<LogLine> currentMatch = new ReadOnlyObjectWrapper<>(this, "currentMatch");
    private final ReadOnlyIntegerWrapper pendingCount = new ReadOnlyIntegerWrapper(this, "pendingCount");
    private final ReadOnlyLongWrapper dropped = new ReadOnlyLongWrapper(this, "dropped");
    private final ReadOnlyStringWrapper placeholder = new ReadOnlyStringWrapper(this, "placeholder", "Loading…");
    private final ReadOnlyStringWrapper fileText = new ReadOnlyStringWrapper(this, "fileText", "");
    private final ReadOnlyStringWrapper statusText = new ReadOnlyStringWrapper(this, "statusText", "");
    private final ReadOnlyStringWrapper notice = new ReadOnlyStringWrapper(this, "notice", "");

    /** Sequence numbers of matching lines in view, ascending. */
    private final List<Long> matches = new ArrayList<>();
    private final List<String> pending = new ArrayList<>();
    private long nextSeq;
    /** Counts opened feeds; a batch from an older one is ignored. */
    private long generation;
    private AutoCloseable openFeed;
    private boolean fileMissing;
    /** What the empty view says about the file. */
    private String filePlaceholder = "Loading…";
    /** A log asked for before the sources were known. */
    private String requested;
    private boolean requestedStderr;

    public LogViewModel(LogFeed feed, Executor background, Executor ui, int maxLines) {
        if (maxLines < 1) {
            throw new IllegalArgumentException("maxLines must be at least 1, got " + maxLines);
        }
        this.feed = Objects.requireNonNull(feed, "feed");
        this.background = Objects.requireNonNull(background, "background");
        this.ui = Objects.requireNonNull(ui, "ui");
        this.maxLines = maxLines;
        query.addListener((obs, was, now) -> searchAgain());
        onlyMatches.addListener((obs, was, now) -> refilter());
        paused.addListener((obs, was, now) -> {
            if (!now) {
                List<String> waiting = new ArrayList<>(pending);
                pending.clear();
                pendingCount.set(0);
                append(waiting);
            }
            updateStatus();
        });
    }

    public int maxLines() {
        return maxLines;
    }

    /** The logs that can be chosen; shows a log asked for earlier with {@link #open}. */
    public void setSources(List<LogSource> list) {
        sources.setAll(list);
        if (requested != null) {
            String name = requested;
            requested = null;
            open(name, requestedStderr);
        }
    }

    /** Shows the log of the service with this name (or "engine"). */
    public void open(String name, boolean stderrStream) {
        if (sources.isEmpty()) {
            requested = name;
            requestedStderr = stderrStream;
            return;
        }
        LogSource found = sources.stream().filter(s -> s.name().equals(name)).findFirst().orElse(null);
        if (found == null) {
            stopFeed();
            source.set(null);
            clear();
            fileText.set("");
            setFilePlaceholder("There is no service named “" + name + "” in services.json.");
            updateStatus();
            return;
        }
        select(found, stderrStream);
    }

    /** Shows {@code chosen}'s stdout or stderr log from its last lines on, following it. */
    public void select(LogSource chosen, boolean stderrStream) {
        Objects.requireNonNull(chosen, "chosen");
        if (chosen.equals(source.get()) && stderrStream == stderr.get() && openFeed != null) {
            return;
        }
        stopFeed();
        source.set(chosen);
        stderr.set(stderrStream);
        pending.clear();
        paused.set(false); // a newly chosen log is followed
        clear();
        if (!chosen.hasLogs()) {
            fileText.set("");
            setFilePlaceholder(chosen.note());
            updateStatus();
            return;
        }
        Path file = chosen.file(stderrStream);
        fileText.set(file.toString());
        setFilePlaceholder("Reading " + file.getFileName() + "…");
        updateStatus();
        long feedGeneration = generation;
        background.execute(() -> {
            boolean exists = Files.exists(file);
            AutoCloseable opened;
            try {
                opened = feed.follow(file, maxLines, batch -> ui.execute(() -> accept(feedGeneration, batch)));
            } catch (IOException | RuntimeException e) {
                LOG.warn("Cannot follow {}", file, e);
                String why = e.getMessage() != null ? e.getMessage() : e.toString();
                ui.execute(() -> {
                    if (feedGeneration == generation) {
                        setFilePlaceholder("Cannot read " + file + ": " + why);
                    }
                });
                return;
            }
            ui.execute(() -> {
                if (feedGeneration != generation) {
                    closeInBackground(opened);
                    return;
                }
                openFeed = opened;
                fileMissing = !exists;
                setFilePlaceholder(exists ? file.getFileName() + " is empty. New lines appear here as they are written."
                        : chosen.label() + " has not written " + file + " yet. Lines appear here as soon as it does.");
                updateStatus();
            });
        });
    }

    /** Switches between stdout and stderr of the log shown. */
    public void showStderr(boolean stderrStream) {
        if (source.get() != null && stderrStream != stderr.get()) {
            select(source.get(), stderrStream);
        }
    }

    /** Stops following; the view keeps what it shows. */
    public void close() {
        stopFeed();
    }

    void accept(long feedGeneration, List<String> batch) {
        if (feedGeneration != generation || batch.isEmpty()) {
            return;
        }
        fileMissing = false;
        if (paused.get()) {
            pending.addAll(batch);
            int over = pending.size() - maxLines;
            if (over > 0) {
                pending.subList(0, over).clear();
                dropped.set(dropped.get() + over);
            }
            pendingCount.set(pending.size());
            updateStatus();
            return;
        }
        append(batch);
    }

    private void append(List<String> batch) {
        if (batch.isEmpty()) {
            return;
        }
        List<String> take = batch;
        if (take.size() > maxLines) {
            dropped.set(dropped.get() + take.size() - maxLines);
            take = take.subList(take.size() - maxLines, take.size());
        }
        List<LogLine> added = new ArrayList<>(take.size());
        String q = query.get();
        for (String text : take) {
            LogLine line = new LogLine(nextSeq++, text);
            added.add(line);
            if (Highlight.contains(text, q)) {
                matches.add(line.seq());
            }
        }
        int over = lines.size() + added.size() - maxLines;
        if (over > 0) {
            lines.remove(0, over);
            dropped.set(dropped.get() + over);
            long firstKept = lines.isEmpty() ? added.get(0).seq() : lines.get(0).seq();
            int gone = 0;
            while (gone < matches.size() && matches.get(gone) < firstKept) {
                gone++;
            }
            matches.subList(0, gone).clear();
            if (currentMatch.get() != null && currentMatch.get().seq() < firstKept) {
                currentMatch.set(null);
            }
        }
        lines.addAll(added);
        updateMatchCounters();
        updatePlaceholder();
        updateStatus();
    }

    /** Goes to the next match (wrapping to the first); pauses following so it stays in view. */
    public void nextMatch() {
        step(true);
    }

    /** Goes to the previous match (wrapping to the last); pauses following so it stays in view. */
    public void previousMatch() {
        step(false);
    }

    private void step(boolean forward) {
        if (matches.isEmpty()) {
            return;
        }
        paused.set(true);
        LogLine current = currentMatch.get();
        int index;
        if (current == null) {
            index = forward ? 0 : matches.size() - 1;
        } else {
            int at = Collections.binarySearch(matches, current.seq());
            index = forward ? (at + 1) % matches.size() : (at - 1 + matches.size()) % matches.size();
        }
        currentMatch.set(lineBySeq(matches.get(index)));
        updateMatchCounters();
    }

    /** A new query: find all matches and go to the newest one. */
    private void searchAgain() {
        matches.clear();
        String q = query.get();
        if (q != null && !q.isEmpty()) {
            for (LogLine line : lines) {
                if (Highlight.contains(line.text(), q)) {
                    matches.add(line.seq());
                }
            }
        }
        currentMatch.set(matches.isEmpty() ? null : lineBySeq(matches.get(matches.size() - 1)));
        updateMatchCounters();
        refilter();
    }

    private void refilter() {
        String q = query.get();
        visibleLines.setPredicate(onlyMatches.get() && q != null && !q.isEmpty()
                ? line -> Highlight.contains(line.text(), q) : line -> true);
        updatePlaceholder();
    }

    private void updateMatchCounters() {
        matchCount.set(matches.size());
        LogLine current = currentMatch.get();
        currentMatchNumber.set(current == null ? 0 : Collections.binarySearch(matches, current.seq()) + 1);
    }

    private LogLine lineBySeq(long seq) {
        int at = Collections.binarySearch(lines, new LogLine(seq, ""), BY_SEQ);
        return at >= 0 ? lines.get(at) : null;
    }

    /** Where a line is in {@link #visibleLines()}, or -1. */
    public int visibleIndexOf(LogLine line) {
        int low = 0;
        int high = visibleLines.size() - 1;
        while (low <= high) {
            int mid = (low + high) >>> 1;
            long seq = visibleLines.get(mid).seq();
            if (seq < line.seq()) {
                low = mid + 1;
            } else if (seq > line.seq()) {
                high = mid - 1;
            } else {
                return mid;
            }
        }
        return -1;
    }

    private void setFilePlaceholder(String text) {
        filePlaceholder = text;
        updatePlaceholder();
    }

    /** What the file says when there are no lines, or that the filter hides every line. */
    private void updatePlaceholder() {
        String q = query.get();
        boolean filteredOut = onlyMatches.get() && q != null && !q.isEmpty() && !lines.isEmpty();
        placeholder.set(filteredOut ? "No line in view matches “" + q + "”." : filePlaceholder);
    }

    private void updateStatus() {
        LogSource s = source.get();
        if (s == null || !s.hasLogs()) {
            statusText.set("");
            return;
        }
        StringBuilder sb = new StringBuilder(count(lines.size(), "line")).append(" shown");
        if (dropped.get() > 0) {
            sb.append(" · ").append(count(dropped.get(), "older line")).append(" dropped from view (still in the file)");
        }
        if (paused.get()) {
            sb.append(" · Paused").append(pending.isEmpty() ? "" : ": " + count(pending.size(), "new line") + " waiting");
        } else {
            sb.append(fileMissing ? " · Waiting for the file" : " · Following");
        }
        statusText.set(sb.toString());
    }

    private void clear() {
        lines.clear();
        matches.clear();
        pending.clear();
        pendingCount.set(0);
        dropped.set(0);
        currentMatch.set(null);
        updateMatchCounters();
        fileMissing = false;
    }

    private void stopFeed() {
        generation++;
        if (openFeed != null) {
            closeInBackground(openFeed);
            openFeed = null;
        }
    }

    private void closeInBackground(AutoCloseable feedToClose) {
        background.execute(() -> {
            try {
                feedToClose.close();
            } catch (Exception e) {
                LOG.debug("Closing a log feed failed", e);
            }
        });
    }

    static String count(long n, String word) {
        return String.format(Locale.ROOT, "%,d", n).replace(',', ' ') + " " + word + (n == 1 ? "" : "s");
    }

    public ObservableList<LogSource> sources() {
        return sources;
    }

    public ReadOnlyObjectProperty<LogSource> sourceProperty() {
        return source.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty stderrProperty() {
        return stderr.getReadOnlyProperty();
    }

    /** Every line kept, oldest first. */
    public ObservableList<LogLine> lines() {
        return FXCollections.unmodifiableObservableList(lines);
    }

    /** The lines the view shows: all, or only matching ones. */
    public FilteredList<LogLine> visibleLines() {
        return visibleLines;
    }

    public StringProperty queryProperty() {
        return query;
    }

    public BooleanProperty onlyMatchesProperty() {
        return onlyMatches;
    }

    public BooleanProperty pausedProperty() {
        return paused;
    }

    public ReadOnlyIntegerProperty matchCountProperty() {
        return matchCount.getReadOnlyProperty();
    }

    /** 1-based position of {@link #currentMatchProperty()} among the matches; 0 when there is none. */
    public ReadOnlyIntegerProperty currentMatchNumberProperty() {
        return currentMatchNumber.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<LogLine> currentMatchProperty() {
        return currentMatch.getReadOnlyProperty();
    }

    public ReadOnlyIntegerProperty pendingCountProperty() {
        return pendingCount.getReadOnlyProperty();
    }

    /** Lines dropped from view (oldest first) to keep at most {@link #maxLines()}. */
    public ReadOnlyLongProperty droppedProperty() {
        return dropped.getReadOnlyProperty();
    }

    /** What the empty view says. */
    public ReadOnlyStringProperty placeholderProperty() {
        return placeholder.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty fileTextProperty() {
        return fileText.getReadOnlyProperty();
    }

    public ReadOnlyStringProperty statusTextProperty() {
        return statusText.getReadOnlyProperty();
    }

    /** A problem worth a line above the log (services.json unreadable, ...); empty when none. */
    public ReadOnlyStringProperty noticeProperty() {
        return notice.getReadOnlyProperty();
    }

    public void setNotice(String text) {
        notice.set(text == null ? "" : text);
    }
}
