package dev.nexus.services.tray.logs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.tray.settings.HeadlessFx;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/** The log viewer window, headless, on a real log file in a temp NEXUS_ROOT followed by the real LogFollower. */
class LogViewerWindowFxTest {
    private static final long WAIT_SECONDS = 10;
    private static final String[] MESSAGES = {
        "INFO  gateway: client echo connected from 127.0.0.1:53122 (protocol 4)",
        "DEBUG heartbeat: ok (rtt 3 ms)",
        "INFO  skills: scanned 42 skills in 118 ms",
        "INFO  bridge: forwarded 12 messages to channel slack",
        "WARN  channel telegram: reconnecting after read timeout (attempt 2 of 5)",
        "INFO  cron: job \"daily-digest\" finished in 1.2 s",
        "DEBUG browser-control: tab 3 navigated to https://example.org/docs",
        "INFO  agent echo: run 8812 completed (4 tool calls, 2.9 s)",
    };

    @TempDir
    Path tmp;
    private NexusPaths paths;
    private Path log;
    private LogViewerWindow window;
    private final FxRobot robot = new FxRobot();

    @BeforeAll
    static void headless() throws Exception {
        HeadlessFx.start();
    }

    @BeforeEach
    void setUp() throws IOException {
        paths = new NexusPaths(tmp.resolve("nexus"));
        new CatalogStore(paths, new CatalogCodec(paths)).load(); // services.json with the Nexus defaults
        log = paths.stdoutLog("gateway");
        Files.createDirectories(log.getParent());
        List<String> lines = new ArrayList<>();
        Instant t = Instant.parse("2026-11-23T09:14:02.118Z");
        for (int i = 0; i < 400; i++) {
            lines.add(t.plusMillis(1_733L * i) + " " + MESSAGES[(i * 5 + i / 8) % MESSAGES.length]);
        }
        lines.add(t.plusMillis(1_733L * 400) + " ERROR canvas: render of frame 220 failed: timeout after 5 s");
        Files.write(log, lines, StandardCharsets.UTF_8);
        window = new LogViewerWindow(paths);
    }

    @AfterEach
    void close() {
        robot.interact(() -> {
            if (window.stage() != null) {
                window.stage().close();
            }
        });
    }

    private static void await(String what, Callable<Boolean> condition) throws Exception {
        try {
            WaitForAsyncUtils.waitFor(WAIT_SECONDS, TimeUnit.SECONDS, condition);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("timed out waiting until " + what, e);
        }
    }

    @SuppressWarnings("unchecked")
    private ListView<LogLine> lineList() {
        return robot.lookup("#lineList").queryAs(ListView.class);
    }

    private String lastShown() {
        List<LogLine> items = lineList().getItems();
        return items.isEmpty() ? "" : items.get(items.size() - 1).text();
    }

    @Test
    void showsTheTailFollowsNewLinesAndSearchFindsOne() throws Exception {
        robot.interact(() -> window.show("gateway", false));
        await("the tail of the file is shown", () -> lastShown().contains("render of frame 220 failed"));
        assertEquals(401, lineList().getItems().size());
        assertEquals("Nexus Services — Logs: Gateway", window.stage().getTitle());
        assertTrue(robot.lookup("#fileLabel").queryAs(Label.class).getText().endsWith("gateway.log"));

        Files.writeString(log, "2026-11-23T09:25:36.000Z WARN  canvas: frame 221 slow (timeout budget 80 % used)\n"
                + "2026-11-23T09:25:36.400Z INFO  canvas: frame 222 rendered in 41 ms\n",
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        await("appended lines are followed", () -> lastShown().contains("frame 222 rendered"));

        robot.clickOn("#searchField").write("TIMEOUT");
        Label matches = robot.lookup("#matchLabel").queryAs(Label.class);
        await("the matches are counted", () -> matches.getText().endsWith(" of " + window.model().matchCountProperty().get())
                && window.model().matchCountProperty().get() > 2);
        int count = window.model().matchCountProperty().get();
        assertEquals(count + " of " + count, matches.getText(), "starts at the newest match");

        robot.type(KeyCode.ENTER); // next: wraps around to the first
        await("the first match is selected", () -> "1".equals(matches.getText().split(" ")[0]));
        LogLine selected = lineList().getSelectionModel().getSelectedItem();
        assertTrue(selected.text().toLowerCase().contains("timeout"), selected.text());
        assertEquals("Resume", robot.lookup("#pauseButton").queryAs(ToggleButton.class).getText(),
                "stepping to a match pauses following");
        robot.press(KeyCode.SHIFT).type(KeyCode.ENTER).release(KeyCode.SHIFT);
        await("back to the newest match", () -> matches.getText().equals(count + " of " + count));
        HeadlessFx.screenshot(window.stage().getScene(), "logs");

        robot.type(KeyCode.ESCAPE);
        assertEquals("", robot.lookup("#searchField").queryAs(TextField.class).getText(), "Esc clears the search first");
        robot.type(KeyCode.ESCAPE);
        await("Esc closes the window", () -> window.stage() == null);
    }

    @Test
    void switchesToStderrAndExplainsServicesWithoutLogs() throws Exception {
        Files.writeString(paths.stderrLog("gateway"), "panic: config not found\n", StandardCharsets.UTF_8);
        robot.interact(() -> window.show("gateway", true));
        await("the stderr log is shown", () -> lastShown().equals("panic: config not found"));
        assertTrue(robot.lookup("#stderrButton").queryAs(ToggleButton.class).isSelected());

        robot.clickOn("#stdoutButton");
        await("stdout again", () -> lastShown().contains("render of frame 220 failed"));

        robot.interact(() -> window.show("hub", false));
        await("the job's note", () -> lineList().getItems().isEmpty()
                && ((Label) lineList().getPlaceholder()).getText().contains("is a job"));
        assertTrue(robot.lookup("#stdoutButton").queryAs(ToggleButton.class).isDisabled());
    }
}
