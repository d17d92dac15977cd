package dev.nexus.services.tray.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.NexusDefaults;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The log viewer's rules without a display or files: batches handed over by a test double. */
class LogViewModelTest {
    private final NexusPaths paths = new NexusPaths(Path.of("/tmp/nexus-log-viewer-test"));
    private ManualLogFeed feed;

    @BeforeEach
    void setUp() {
        feed = new ManualLogFeed();
    }

    private LogViewModel model(int maxLines) {
        LogViewModel model = new LogViewModel(feed, Runnable::run, Runnable::run, maxLines);
        model.setSources(LogSource.of(NexusDefaults.catalog(paths), paths));
        model.open("gateway", false);
        return model;
    }

    private static List<String> texts(List<LogLine> lines) {
        return lines.stream().map(LogLine::text).toList();
    }

    private static String[] numbered(int from, int to) {
        return IntStream.rangeClosed(from, to).mapToObj(i -> "line " + i).toArray(String[]::new);
    }

    @Test
    void followsTheChosenFileAskingForAsManyLastLinesAsItKeeps() {
        LogViewModel model = model(500);
        assertEquals(paths.stdoutLog("gateway"), feed.last().file());
        assertEquals(500, feed.last().initialLines());
        assertEquals(paths.stdoutLog("gateway").toString(), model.fileTextProperty().get());

        model.showStderr(true);
        assertTrue(feed.followed.get(0).isClosed(), "the stdout follower stops");
        assertEquals(paths.stderrLog("gateway"), feed.last().file());
    }

    @Test
    void keepsAtMostTheCapDroppingTheOldest() {
        LogViewModel model = model(5);
        feed.last().push(numbered(1, 3));
        assertEquals(List.of("line 1", "line 2", "line 3"), texts(model.lines()));

        feed.last().push(numbered(4, 7));
        assertEquals(List.of("line 3", "line 4", "line 5", "line 6", "line 7"), texts(model.lines()));
        assertEquals(2, model.droppedProperty().get());
        assertTrue(model.statusTextProperty().get().contains("2 older lines dropped from view (still in the file)"),
                model.statusTextProperty().get());

        feed.last().push(numbered(8, 20)); // one batch larger than the cap
        assertEquals(List.of("line 16", "line 17", "line 18", "line 19", "line 20"), texts(model.lines()));
        assertEquals(15, model.droppedProperty().get());
    }

    @Test
    void searchIsCaseInsensitiveStartsAtTheNewestMatchAndWraps() {
        LogViewModel model = model(100);
        feed.last().push("Error one", "all good", "an ERROR two", "error three", "fine");
        model.queryProperty().set("eRRor");
        assertEquals(3, model.matchCountProperty().get());
        assertEquals("error three", model.currentMatchProperty().get().text());
        assertEquals(3, model.currentMatchNumberProperty().get());
        assertFalse(model.pausedProperty().get(), "typing does not pause");

        model.previousMatch();
        assertEquals("an ERROR two", model.currentMatchProperty().get().text());
        assertEquals(2, model.currentMatchNumberProperty().get());
        assertTrue(model.pausedProperty().get(), "stepping to a match pauses following so it stays in view");
        model.nextMatch();
        model.nextMatch();
        assertEquals("Error one", model.currentMatchProperty().get().text(), "wraps to the first");
        assertEquals(1, model.currentMatchNumberProperty().get());
        model.previousMatch();
        assertEquals("error three", model.currentMatchProperty().get().text(), "wraps to the last");

        model.queryProperty().set("nothing like this");
        assertEquals(0, model.matchCountProperty().get());
        assertNull(model.currentMatchProperty().get());
        model.nextMatch(); // nothing to go to
        assertNull(model.currentMatchProperty().get());
    }

    @Test
    void newLinesAreSearchedAndDroppedMatchesAreForgotten() {
        LogViewModel model = model(3);
        feed.last().push("boot", "WARN disk", "ok");
        model.queryProperty().set("warn");
        assertEquals(1, model.matchCountProperty().get());
        LogLine first = model.currentMatchProperty().get();

        feed.last().push("warn again");
        assertEquals(2, model.matchCountProperty().get(), "a new matching line counts");
        assertEquals(first, model.currentMatchProperty().get(), "the current match stays put");

        feed.last().push("x", "y");
        assertEquals(List.of("warn again", "x", "y"), texts(model.lines()));
        assertEquals(1, model.matchCountProperty().get());
        assertNull(model.currentMatchProperty().get(), "its line was dropped");
        model.nextMatch();
        assertEquals("warn again", model.currentMatchProperty().get().text());
    }

    @Test
    void onlyMatchesFiltersTheViewAndSaysWhenNothingMatches() {
        LogViewModel model = model(100);
        feed.last().push("alpha", "beta", "Alphabet");
        model.queryProperty().set("ALPHA");
        model.onlyMatchesProperty().set(true);
        assertEquals(List.of("alpha", "Alphabet"), texts(model.visibleLines()));
        assertEquals(1, model.visibleIndexOf(model.currentMatchProperty().get()));

        feed.last().push("gamma", "alpha omega");
        assertEquals(List.of("alpha", "Alphabet", "alpha omega"), texts(model.visibleLines()));

        model.queryProperty().set("zeta");
        assertTrue(model.visibleLines().isEmpty());
        assertEquals("No line in view matches “zeta”.", model.placeholderProperty().get());
        model.onlyMatchesProperty().set(false);
        assertEquals(5, model.visibleLines().size());
    }

    @Test
    void pausedLinesWaitCappedAndAppearOnResume() {
        LogViewModel model = model(4);
        feed.last().push("a", "b");
        model.pausedProperty().set(true);
        feed.last().push("c", "d", "e");
        assertEquals(List.of("a", "b"), texts(model.lines()), "the view holds still");
        assertEquals(3, model.pendingCountProperty().get());
        assertTrue(model.statusTextProperty().get().contains("Paused: 3 new lines waiting"),
                model.statusTextProperty().get());

        feed.last().push("f", "g"); // more waiting than the cap: the oldest waiting go
        assertEquals(4, model.pendingCountProperty().get());
        assertEquals(1, model.droppedProperty().get());

        model.pausedProperty().set(false);
        assertEquals(List.of("d", "e", "f", "g"), texts(model.lines()));
        assertEquals(0, model.pendingCountProperty().get());
        assertTrue(model.statusTextProperty().get().endsWith("Following"), model.statusTextProperty().get());
    }

    @Test
    void batchesFromALogNoLongerShownAreIgnored() {
        LogViewModel model = model(100);
        ManualLogFeed.Followed gateway = feed.last();
        model.open("cloud", false);
        gateway.push("late gateway line");
        feed.last().push("cloud line");
        assertEquals(List.of("cloud line"), texts(model.lines()));
    }

    @Test
    void jobsConnectionsAndUnknownNamesSayWhyThereIsNoLog() {
        LogViewModel model = model(100);
        int follows = feed.followed.size();
        model.open("hub", false);
        assertEquals(follows, feed.followed.size(), "nothing to follow");
        assertTrue(feed.last().isClosed());
        assertEquals("Nexus Hub is a job: its runs are not written to a log file. The tray shows its last result.",
                model.placeholderProperty().get());
        model.open("collab", true);
        assertEquals("Nexus Collab is a connection: no local process, so no log file.", model.placeholderProperty().get());
        model.open("nope", false);
        assertEquals("There is no service named “nope” in services.json.", model.placeholderProperty().get());
        model.open("engine", false);
        assertEquals(paths.engineLog(), feed.last().file());
    }

    @Test
    void aLogAskedForBeforeTheCatalogIsReadOpensOnceItIs() {
        LogViewModel model = new LogViewModel(feed, Runnable::run, Runnable::run, 10);
        model.open("cloud", true);
        assertTrue(feed.followed.isEmpty());
        model.setSources(LogSource.of(NexusDefaults.catalog(paths), paths));
        assertEquals(paths.stderrLog("cloud"), feed.last().file());
        assertTrue(model.stderrProperty().get());
    }

    @Test
    void sourcesAreTheCatalogsServicesThenTheEngine() {
        List<LogSource> sources = LogSource.of(NexusDefaults.catalog(paths), paths);
        assertEquals(List.of("gateway", "cloud", "hub", "collab", "engine"), sources.stream().map(LogSource::name).toList());
        assertEquals(List.of(true, true, false, false, true), sources.stream().map(LogSource::hasLogs).toList());
        assertEquals(paths.stderrLog("cloud"), sources.get(1).file(true));
    }

    @Test
    void highlightCutsALineIntoMatchingPiecesIgnoringCase() {
        assertEquals(List.of(new Highlight.Segment("x", false), new Highlight.Segment("aB", true),
                        new Highlight.Segment("x", false), new Highlight.Segment("AB", true)),
                Highlight.segments("xaBxAB", "ab", 100));
        assertEquals(List.of(new Highlight.Segment("plain", false)), Highlight.segments("plain", "", 100));
        assertEquals(List.of(new Highlight.Segment("", false)), Highlight.segments("", "q", 100));
        assertEquals(List.of(new Highlight.Segment("abc", false), new Highlight.Segment(" … (3 more characters)", false)),
                Highlight.segments("abcdef", "ef", 3), "a match beyond what is shown is not highlighted");
        assertTrue(Highlight.contains("ÄRGER im Log", "ärger"));
        assertFalse(Highlight.contains("anything", ""), "an empty query matches nothing");
    }
}
