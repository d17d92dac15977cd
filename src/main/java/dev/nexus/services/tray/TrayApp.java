package dev.nexus.services.tray;

import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.tray.link.EngineLink;
import dev.nexus.services.tray.link.EngineListener;
import dev.nexus.services.tray.link.ModelFeed;
import dev.nexus.services.tray.logs.LogViewerWindow;
import dev.nexus.services.tray.model.MenuAction;
import dev.nexus.services.tray.model.Notice;
import dev.nexus.services.tray.model.NotificationPolicy;
import dev.nexus.services.tray.model.TrayViewModel;
import dev.nexus.services.tray.popover.PopoverActions;
import dev.nexus.services.tray.popover.PopoverWindow;
import dev.nexus.services.tray.settings.SettingsWindow;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.stage.Stage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The tray app's JavaFX side: binds the view model to the tray controller, the popover, the windows and
 * notifications. Started by {@link TrayLauncher}, which has already claimed the single instance, put
 * the icon up and connected to the engine in parallel.
 */
public final class TrayApp extends Application {
    private static final Logger LOG = LoggerFactory.getLogger(TrayApp.class);

    /** What the launcher prepared before JavaFX started (JavaFX makes the Application instance itself). */
    static volatile Boot boot;

    /** The pieces that need no JavaFX, made and started by the launcher. */
    static final class Boot {
        final NexusPaths paths;
        final SingleInstance instance;
        final FxGate gate;
        final CompletableFuture<AwtTrayController> awt;
        final long startNanos;
        final Clock clock = Clock.systemUTC();
        final TrayPreferencesStore preferences;
        final NotificationPolicy policy;
        final TrayViewModel model;
        final EngineLink link;
        volatile TrayCallbacks callbacks;

        Boot(NexusPaths paths, SingleInstance instance, FxGate gate, CompletableFuture<AwtTrayController> awt,
             long startNanos) {
            this.paths = paths;
            this.instance = instance;
            this.gate = gate;
            this.awt = awt;
            this.startNanos = startNanos;
            this.preferences = new TrayPreferencesStore(paths);
            this.policy = new NotificationPolicy(preferences::load);
            EngineLink[] linkRef = new EngineLink[1];
            this.model = new TrayViewModel(clock, (op, args) -> linkRef[0].call(op, args), gate);
            model.addTransitionListener((before, after) -> policy.observe(before, after, clock.instant()));
            model.addRecoveryListener((before, after) -> policy.observeRecovery(before, after, clock.instant()));
            this.link = EngineLink.standard(paths, EngineListener.on(gate, new ModelFeed(model, policy)));
            linkRef[0] = link;
            link.start();
        }

        TrayCallbacks callbacks() {
            return callbacks;
        }

        void iconShown() {
            LOG.info("tray icon shown {} ms after launch", (System.nanoTime() - startNanos) / 1_000_000);
        }
    }

    private Boot b;
    private TrayController controller;
    private PopoverWindow popover;
    private SettingsWindow settings;
    private LogViewerWindow logViewer;
    private Anchor lastAnchor;
    private final ScheduledExecutorService noticeTimer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "nexus-tray-notices");
        t.setDaemon(true);
        return t;
    });
    private ScheduledFuture<?> noticeCheck;

    @Override
    public void start(Stage unused) {
        b = boot;
        Platform.setImplicitExit(false);
        b.callbacks = new Callbacks();
        b.model.addListener(this::modelChanged);
        b.instance.onOpen(() -> b.gate.execute(this::openFromSecondLaunch));
        b.awt.whenComplete((awt, error) -> b.gate.execute(() -> controllerReady(awt, error)));
        b.gate.open();
        // Made while nothing else happens, so the first click opens it at once.
        Platform.runLater(this::popover);
        PulseGovernor.install();
    }

    private void controllerReady(AwtTrayController awt, Throwable error) {
        if (awt != null) {
            controller = awt;
        } else {
            String why = error == null ? NoTrayReason.explain(System.getProperty("os.name", ""), System.getenv())
                    : "No tray icon: the system tray failed (" + TrayViewModel.describe(error) + ").";
            if (error != null) {
                LOG.warn("the AWT tray failed; showing the dashboard window instead", error);
            }
            DashboardController dashboard = new DashboardController(b.model, new Actions(), b::callbacks, why);
            controller = dashboard;
            dashboard.show();
        }
        LOG.info("tray controller: {}", controller.kind());
        modelChanged();
    }

    private void modelChanged() {
        if (controller != null) {
            controller.update(b.model.summary(), b.model.menu());
        }
        scheduleNoticeCheck();
    }

    /** A plain scheduled task, not a JavaFX animation: animations need pulses, which stop while hidden. */
    private void scheduleNoticeCheck() {
        if (noticeCheck != null) {
            noticeCheck.cancel(false);
            noticeCheck = null;
        }
        b.policy.deadline().ifPresent(at -> {
            long ms = Math.max(0, Duration.between(b.clock.instant(), at).toMillis()) + 20;
            noticeCheck = noticeTimer.schedule(() -> b.gate.execute(() -> {
                noticeCheck = null;
                b.policy.poll(b.clock.instant()).ifPresent(this::showNotice);
                scheduleNoticeCheck();
            }), ms, TimeUnit.MILLISECONDS);
        });
    }

    private void showNotice(Notice notice) {
        LOG.info("notification: {} — {}", notice.title(), notice.text().replace('\n', ';'));
        if (controller != null) {
            controller.notify(notice);
        }
    }

    private PopoverWindow popover() {
        if (popover == null) {
            popover = new PopoverWindow(b.model, new Actions());
        }
        return popover;
    }

    private void openFromSecondLaunch() {
        if (controller instanceof DashboardController dashboard) {
            dashboard.show();
        } else {
            popover().show(lastAnchor);
        }
    }

    private void openSettings() {
        openSettings(null);
    }

    /** @param page the settings page to show, or null for the one last shown */
    private void openSettings(String page) {
        try {
            if (settings == null) {
                settings = new SettingsWindow(b.paths, b.link, b.preferences);
            }
            if (page == null) {
                settings.show();
            } else {
                settings.show(page);
            }
        } catch (RuntimeException e) {
            LOG.warn("opening Settings failed", e);
            b.model.reportError("open Settings", e);
        }
    }

    private void openLogs(String service) {
        try {
            if (logViewer == null) {
                logViewer = new LogViewerWindow(b.paths);
            }
            logViewer.show(service, false);
        } catch (RuntimeException e) {
            LOG.warn("opening the log viewer failed", e);
            b.model.reportError("open the logs of " + service, e);
        }
    }

    /** Leaves the services and the engine running: only `down` stops services. */
    private void quit() {
        LOG.info("quitting the tray app; services keep running");
        noticeTimer.shutdownNow();
        if (popover != null) {
            popover.hide();
        }
        if (controller != null) {
            controller.close();
        }
        b.link.close();
        b.instance.close();
        Platform.exit();
    }

    private final class Actions implements PopoverActions {
        @Override
        public void openSettings() {
            if (popover != null) {
                popover.hide();
            }
            TrayApp.this.openSettings();
        }

        @Override
        public void openLogs(String service) {
            if (popover != null) {
                popover.hide();
            }
            TrayApp.this.openLogs(service);
        }

        @Override
        public void retryEngine() {
            b.link.retryNow();
        }

        @Override
        public void quit() {
            TrayApp.this.quit();
        }
    }

    private final class Callbacks implements TrayCallbacks {
        @Override
        public void open(Anchor anchor) {
            lastAnchor = anchor;
            if (controller instanceof DashboardController dashboard) {
                dashboard.show();
            } else {
                popover().toggle(anchor);
            }
        }

        @Override
        public void perform(MenuAction action) {
            if (b.model.perform(action)) {
                return;
            }
            switch (action.kind()) {
                case OPEN -> openFromSecondLaunch();
                case SETTINGS -> openSettings();
                case SET_CREDENTIAL -> openSettings(dev.nexus.services.tray.settings.CredentialsPage.TITLE);
                case LOGS -> openLogs(action.service());
                case RETRY_ENGINE -> b.link.retryNow();
                case QUIT -> quit();
                default -> throw new IllegalStateException("unhandled menu action " + action);
            }
        }

        @Override
        public void noticeClicked(Notice notice) {
            if (notice.offersCredential()) {
                openSettings(dev.nexus.services.tray.settings.CredentialsPage.TITLE);
            } else {
                openFromSecondLaunch();
            }
        }
    }
}
