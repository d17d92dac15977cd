package dev.nexus.services.tray.popover;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.supervise.Backoff;
import dev.nexus.services.tray.Anchor;
import dev.nexus.services.tray.LiveEngine;
import dev.nexus.services.tray.link.EngineLink;
import dev.nexus.services.tray.link.EngineListener;
import dev.nexus.services.tray.link.ModelFeed;
import dev.nexus.services.tray.model.LinkStatus;
import dev.nexus.services.tray.model.MenuEntry;
import dev.nexus.services.tray.model.TrayViewModel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import javafx.application.Platform;
import javafx.scene.Node;
import javafx.scene.control.Labeled;
import javafx.scene.control.ToggleButton;
import javafx.scene.input.KeyCode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The popover (headless JavaFX through Monocle) driving a real engine over its control socket: real clicks
 * on the switches start and stop real fixture daemons, and the rows follow the engine's events.
 */
class PopoverLiveTest {
    static final Backoff FAST = new Backoff(Duration.ofMillis(100), 2, Duration.ofMillis(400), 0);

    @TempDir
    Path root;
    LiveEngine live;
    EngineLink link;
    TrayViewModel model;
    PopoverWindow popover;
    final List<String> asked = new CopyOnWriteArrayList<>();
    final FxRobot robot = new FxRobot();

    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @BeforeEach
    void setUp() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        live = LiveEngine.start(paths, LiveEngine.daemon(paths, "gateway", "Gateway", "bridge", "canvas"),
                LiveEngine.daemon(paths, "cloud", "Cloud"));
        EngineLink[] ref = new EngineLink[1];
        model = new TrayViewModel(Clock.systemUTC(), (op, args) -> ref[0].call(op, args), Platform::runLater);
        link = new EngineLink(paths, EngineListener.on(Platform::runLater, new ModelFeed(model, null)), null, FAST,
                Clock.systemUTC());
        ref[0] = link;
        link.start();
        popover = FxToolkit.setupFixture((Callable<PopoverWindow>) () -> {
            PopoverWindow w = new PopoverWindow(model, new PopoverActions() {
                @Override
                public void openSettings() {
                    asked.add("settings");
                }

                @Override
                public void openLogs(String service) {
                    asked.add("logs " + service);
                }

                @Override
                public void retryEngine() {
                    link.retryNow();
                }

                @Override
                public void quit() {
                    asked.add("quit");
                }
            });
            w.show(new Anchor(1100, 10));
            return w;
        });
        awaitText("#state-gateway", "the gateway healthy", t -> t.startsWith("Healthy"));
        awaitText("#state-cloud", "the cloud healthy", t -> t.startsWith("Healthy"));
    }

    @AfterEach
    void tearDown() throws Exception {
        FxToolkit.setupFixture(() -> popover.hide());
        link.close();
        live.close();
    }

    @Test
    void clickingTheSwitchStopsAndStartsARealServiceAndTheRowFollows() {
        long pid = live.service("cloud").pid();
        assertTrue(fx(() -> ((ToggleButton) robot.lookup("#toggle-cloud").query()).isSelected()));
        robot.clickOn("#toggle-cloud");
        awaitText("#state-cloud", "Stopped", "Stopped"::equals);
        assertEquals(Lifecycle.STOPPED, live.service("cloud").lifecycle());
        LiveEngine.waitUntil("the cloud fixture process is gone", () -> !LiveEngine.alive(pid));
        assertFalse(fx(() -> ((ToggleButton) robot.lookup("#toggle-cloud").query()).isSelected()));
        assertEquals(Lifecycle.RUNNING, live.service("gateway").lifecycle(), "only the clicked one stops");
        assertEquals("1 healthy, 1 stopped", text("#summary"));

        robot.clickOn("#toggle-cloud");
        awaitText("#state-cloud", "healthy again", t -> t.startsWith("Healthy · "));
        assertEquals(Lifecycle.RUNNING, live.service("cloud").lifecycle());
        assertTrue(fx(() -> ((ToggleButton) robot.lookup("#toggle-cloud").query()).isSelected()));
    }

    @Test
    void stopAllAndStartAllFromTheFooter() {
        robot.clickOn("#stop-all");
        awaitText("#summary", "all stopped", "2 stopped"::equals);
        assertEquals(Lifecycle.STOPPED, live.service("gateway").lifecycle());
        robot.clickOn("#start-all");
        awaitText("#summary", "all healthy", "2 healthy"::equals);
    }

    @Test
    void theGatewayRowExpandsIntoItsChildren() {
        Node children = robot.lookup("#children-gateway").query();
        assertFalse(fx(children::isVisible));
        robot.clickOn("#expand-gateway");
        assertTrue(fx(children::isVisible));
        LiveEngine.waitUntil("both children reported healthy", () -> fx(() -> {
            List<String> texts = robot.lookup("#children-gateway .label").queryAllAs(Labeled.class).stream()
                    .map(Labeled::getText).toList();
            return texts.size() == 4 && texts.get(0).equals("Bridge") && texts.get(1).startsWith("Healthy")
                    && texts.get(2).equals("Canvas") && texts.get(3).startsWith("Healthy");
        }));
    }

    @Test
    void keyboardMovesBetweenRowsTogglesWithSpaceAndEscCloses() {
        // Our part: the popover opens with its first switch as the focus owner. Whether the window
        // itself is focused is the window system's decision (Monocle sometimes keeps it elsewhere),
        // so give it focus as a person would, by clicking on it, before typing.
        LiveEngine.waitUntil("the first switch is the focus owner", () -> fx(() ->
                popover.stage().getScene().getFocusOwner() == robot.lookup("#toggle-gateway").query()));
        robot.clickOn("#summary");
        LiveEngine.waitUntil("the first switch has focus",
                () -> fx(() -> robot.lookup("#toggle-gateway").query().isFocused()));
        robot.type(KeyCode.DOWN);
        LiveEngine.waitUntil("the second switch has focus",
                () -> fx(() -> robot.lookup("#toggle-cloud").query().isFocused()));
        robot.type(KeyCode.SPACE);
        awaitText("#state-cloud", "Stopped", "Stopped"::equals);
        assertEquals(Lifecycle.STOPPED, live.service("cloud").lifecycle());
        robot.type(KeyCode.ESCAPE);
        WaitForAsyncUtils.waitForFxEvents();
        assertFalse(fx(popover::isShowing));
    }

    @Test
    void logsAndSettingsGoToTheApp() {
        robot.clickOn("#logs-cloud");
        robot.clickOn("#settings");
        assertEquals(List.of("logs cloud", "settings"), asked);
    }

    @Test
    void anUnreachableEngineIsShownWithItsCountdownAndTheRowsWait() throws Exception {
        live.closeSocket();
        awaitText("#link-status", "unreachable", t -> t.startsWith("Engine unreachable — retrying"));
        assertTrue(fx(() -> robot.lookup("#toggle-cloud").query().isDisabled()), "no commands without an engine");
        assertTrue(fx(() -> robot.lookup("#stop-all").query().isDisabled()));
        live.listen();
        LiveEngine.waitUntil("reconnected", () -> fx(() -> model.link() == LinkStatus.CONNECTED));
        LiveEngine.waitUntil("the banner is gone", () -> fx(() -> robot.lookup("#link-status").tryQuery().isEmpty()));
        assertFalse(fx(() -> robot.lookup("#toggle-cloud").query().isDisabled()));
    }

    @Test
    void errorsFromTheEngineShowInThePopoverUntilDismissed() {
        // A command the engine refuses: the service is not in its catalog.
        WaitForAsyncUtils.asyncFx(() -> model.stop("no-such-service"));
        awaitText(".engine-error", "the refusal", t -> t.startsWith("Could not stop no-such-service: unknown service"));
        robot.clickOn(".banner.error .button");
        LiveEngine.waitUntil("dismissed", () -> fx(() -> robot.lookup(".engine-error").tryQuery().isEmpty()));
    }

    @Test
    void theMenuModelsCheckItemsDriveTheRealEngineToo() {
        MenuEntry.Check cloud = fx(() -> (MenuEntry.Check) model.menu().entries().get(1));
        assertEquals("Cloud: Healthy", cloud.label());
        assertTrue(cloud.checked());
        WaitForAsyncUtils.asyncFx(() -> model.perform(cloud.action()));
        LiveEngine.waitUntil("the menu says stopped", () -> fx(() -> model.menu().entries().get(1)
                .equals(new MenuEntry.Check("Cloud: Stopped", false, true,
                        dev.nexus.services.tray.model.MenuAction.of(
                                dev.nexus.services.tray.model.MenuAction.Kind.START, "cloud")))));
        assertEquals(Lifecycle.STOPPED, live.service("cloud").lifecycle());
    }

    private String text(String query) {
        return fx(() -> ((Labeled) robot.lookup(query).query()).getText());
    }

    private void awaitText(String query, String what, java.util.function.Predicate<String> condition) {
        LiveEngine.waitUntil(query + " shows " + what, () -> fx(() -> robot.lookup(query).tryQuery()
                .map(n -> condition.test(((Labeled) n).getText())).orElse(false)));
    }

    /** Reads JavaFX state on the JavaFX thread. */
    private static <T> T fx(Callable<T> read) {
        try {
            return WaitForAsyncUtils.asyncFx(read).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
