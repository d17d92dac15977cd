package dev.nexus.services.tray;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import javafx.application.Platform;
import javafx.collections.ListChangeListener;
import javafx.stage.Window;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops JavaFX's pulse timer while no window is showing, and starts it again before one shows.
 *
 * <p>Why: on Linux, JavaFX's GTK timer cannot pause (its pause is empty), so an app whose windows are all
 * hidden still wakes 60 times a second: about 0.5 % of a core for a tray app that sits idle all day. Only
 * there, and only while nothing is shown, the timer is stopped. This reaches into JavaFX internals
 * (QuantumToolkit.pulseTimer, glass Timer start/stop); when they are not as expected it does nothing and
 * says so once in the log. Animations need pulses, so the app must not rely on one while hidden (its
 * timers are plain scheduled tasks).
 */
final class PulseGovernor {
    private static final Logger LOG = LoggerFactory.getLogger(PulseGovernor.class);
    /** Lets the last pulse after a hide run (it releases the window's resources). */
    private static final long STOP_DELAY_MS = 750;
    private static final int DEFAULT_PERIOD_MS = 16;

    private final Object timer;
    private final Method start;
    private final Method stop;
    private final int periodMs;
    private final ScheduledExecutorService delay;
    private ScheduledFuture<?> pendingStop;
    private boolean stopped;

    private PulseGovernor(Object timer, Method start, Method stop, int periodMs) {
        this.timer = timer;
        this.start = start;
        this.stop = stop;
        this.periodMs = periodMs;
        this.delay = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "nexus-tray-pulse-governor");
            t.setDaemon(true);
            return t;
        });
    }

    /** Call on the JavaFX thread once the toolkit runs. Does nothing where the timer can pause by itself. */
    static void install() {
        try {
            Class<?> toolkitClass = Class.forName("com.sun.javafx.tk.Toolkit");
            Object toolkit = toolkitClass.getMethod("getToolkit").invoke(null);
            Field field = toolkit.getClass().getDeclaredField("pulseTimer");
            field.setAccessible(true);
            Object timer = field.get(toolkit);
            if (timer == null || !timer.getClass().getName().equals("com.sun.glass.ui.gtk.GtkTimer")) {
                return; // other platforms pause their timer themselves
            }
            Class<?> timerClass = Class.forName("com.sun.glass.ui.Timer");
            Method start = timerClass.getMethod("start", int.class);
            Method stop = timerClass.getMethod("stop");
            Field period = timerClass.getDeclaredField("period");
            period.setAccessible(true);
            double ms = period.getDouble(timer);
            int periodMs = ms >= 1 ? (int) Math.round(ms) : DEFAULT_PERIOD_MS;
            PulseGovernor governor = new PulseGovernor(timer, start, stop, periodMs);
            Window.getWindows().addListener((ListChangeListener<Window>) c -> governor.windowsChanged());
            governor.windowsChanged();
            LOG.info("JavaFX pulses stop while no window shows (GTK timer, {} ms period)", periodMs);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.info("JavaFX pulses keep running while hidden: this JavaFX differs ({})", e.toString());
        }
    }

    /** On the JavaFX thread: the list of showing windows changed. */
    private void windowsChanged() {
        if (!Window.getWindows().isEmpty()) {
            if (pendingStop != null) {
                pendingStop.cancel(false);
                pendingStop = null;
            }
            if (stopped) {
                invoke(start, periodMs);
                stopped = false;
            }
        } else if (!stopped && pendingStop == null) {
            pendingStop = delay.schedule(() -> Platform.runLater(this::stopIfStillHidden), STOP_DELAY_MS,
                    TimeUnit.MILLISECONDS);
        }
    }

    private void stopIfStillHidden() {
        pendingStop = null;
        if (Window.getWindows().isEmpty() && !stopped) {
            invoke(stop);
            stopped = true;
        }
    }

    private void invoke(Method method, Object... args) {
        try {
            method.invoke(timer, args);
        } catch (ReflectiveOperationException e) {
            LOG.warn("could not {} the JavaFX pulse timer: {}", method.getName(), e.toString());
        }
    }
}
