package dev.nexus.services.tray;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.tray.model.LinkStatus;
import dev.nexus.services.tray.model.MenuAction;
import dev.nexus.services.tray.model.Notice;
import dev.nexus.services.tray.model.Snapshots;
import dev.nexus.services.tray.model.TrayViewModel;
import dev.nexus.services.tray.popover.PopoverActions;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import javafx.application.Platform;
import javafx.scene.control.Labeled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

/** The window shown where there is no tray: the same rows, the reason, notifications inside it. */
class DashboardControllerTest {
    final List<String> events = new CopyOnWriteArrayList<>();
    final FxRobot robot = new FxRobot();
    DashboardController dashboard;
    TrayViewModel model;

    @BeforeAll
    static void toolkit() throws Exception {
        FxToolkit.registerPrimaryStage();
    }

    @BeforeEach
    void setUp() throws Exception {
        model = new TrayViewModel(Clock.systemUTC(), (op, args) -> CompletableFuture.failedFuture(
                new java.io.IOException("not connected in this test")), Platform::runLater);
        TrayCallbacks callbacks = new TrayCallbacks() {
            @Override
            public void open(Anchor anchor) {
                events.add("open");
            }

            @Override
            public void perform(MenuAction action) {
                events.add(action.kind().name());
            }

            @Override
            public void noticeClicked(Notice notice) {
                events.add("notice " + notice.credentialServices());
            }
        };
        PopoverActions actions = new PopoverActions() {
            @Override
            public void openSettings() {
                events.add("settings");
            }

            @Override
            public void openLogs(String service) {
                events.add("logs " + service);
            }

            @Override
            public void retryEngine() {
                events.add("retry");
            }

            @Override
            public void quit() {
                events.add("quit");
            }
        };
        dashboard = FxToolkit.setupFixture((Callable<DashboardController>) () -> {
            DashboardController d = new DashboardController(model, actions, () -> callbacks,
                    NoTrayReason.explain("Linux", java.util.Map.of("DISPLAY", ":99")));
            model.addListener(() -> d.update(model.summary(), model.menu()));
            model.applySnapshot(new EngineSnapshot(1, Snapshots.engineInfo(List.of(), null),
                    List.of(Snapshots.healthy("gateway"),
                    Snapshots.failed("cloud", "credentials", "nexus-cloud/default is not set")), Instant.now()));
            model.applyLink(LinkStatus.CONNECTED);
            d.show();
            return d;
        });
    }

    @AfterEach
    void tearDown() throws Exception {
        FxToolkit.setupFixture(() -> dashboard.close());
    }

    @Test
    void saysWhyThereIsNoTrayAndShowsTheRows() {
        assertTrue(fx(() -> ((Labeled) robot.lookup("#no-tray-reason").query()).getText()).contains("trayer"));
        assertEquals("Waiting for credentials", fx(() -> ((Labeled) robot.lookup("#state-cloud").query()).getText()));
        assertEquals("Nexus Services — 1 healthy, 1 down (cloud)", fx(() -> dashboard.stage().getTitle()));
        assertEquals(2, fx(() -> dashboard.stage().getIcons().size()));
    }

    @Test
    void theFixLinkOpensSettingsForACredential() {
        robot.clickOn("#fix-cloud");
        assertEquals(List.of("settings"), events);
    }

    @Test
    void aCredentialNoticeOffersSetCredential() {
        WaitForAsyncUtils.asyncFx(() -> dashboard.notify(new Notice("Nexus: Cloud needs a credential",
                "It waits for its credential: set it in Settings.", true,
                Set.of(NotificationType.CREDENTIAL_NEEDED), List.of("cloud"))));
        WaitForAsyncUtils.waitForFxEvents();
        robot.clickOn("#notice-set-credential");
        assertEquals(List.of("notice [cloud]"), events);
    }

    @Test
    void aFailedCommandShowsItsErrorInTheWindow() {
        robot.clickOn("#toggle-gateway");
        dev.nexus.services.tray.LiveEngine.waitUntil("the error shows", () -> fx(() -> robot.lookup(".engine-error")
                .tryQuery().map(n -> ((Labeled) n).getText()).orElse(""))
                .equals("Could not stop gateway: not connected in this test"));
        assertEquals(DisplayStatus.DOWN, fx(() -> model.summary().status()));
    }

    private static <T> T fx(Callable<T> read) {
        try {
            return WaitForAsyncUtils.asyncFx(read).get();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
