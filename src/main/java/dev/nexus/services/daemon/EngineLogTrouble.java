package dev.nexus.services.daemon;

import ch.qos.logback.core.recovery.ResilientOutputStreamBase;
import ch.qos.logback.core.status.Status;
import ch.qos.logback.core.status.StatusListener;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;

/**
 * Whether the engine's own log file can be written, learned from logback's status messages: its file
 * stream reports each IO failure (disk full, read-only) as an error and says "Recovered from IO failure"
 * at the first write that works again. Without this, a full disk would silently swallow the engine's log
 * while the engine's problems, which status and the tray show, said nothing.
 *
 * <p>Logback only tries the file again when something is logged, and the engine logs little; so while
 * the file fails, a line is logged every {@value #RETRY_SECONDS} s, and the end of the trouble is seen
 * within seconds of the space coming back.
 */
final class EngineLogTrouble implements StatusListener {
    static final long RETRY_SECONDS = 2;
    private static final String RECOVERED = "Recovered from IO failure";

    private final Logger log;
    private String problem;
    private Instant failingSince;
    private ScheduledExecutorService retries;
    private Consumer<String> listener = p -> { };

    /** @param log a logger of the context whose file this watches */
    EngineLogTrouble(Logger log) {
        this.log = log;
    }

    @Override
    public void addStatusEvent(Status status) {
        if (!(status.getOrigin() instanceof ResilientOutputStreamBase)) {
            return;
        }
        if (status.getLevel() == Status.ERROR) {
            Throwable cause = status.getThrowable();
            set(cause != null && cause.getMessage() != null ? cause.getMessage() : status.getMessage());
        } else if (status.getMessage() != null && status.getMessage().startsWith(RECOVERED)) {
            set(null);
        }
    }

    /** The file was deleted and a new one opened: whatever failed writing the old one is over. */
    void startedAgain() {
        set(null);
    }

    /** Tells {@code to} the problem now (null: none) and at every change from here on; replaces any earlier one. */
    synchronized void reportTo(Consumer<String> to) {
        listener = Objects.requireNonNull(to, "to");
        to.accept(problem);
    }

    /**
     * Called on the logging thread, inside the appender's write: nothing here logs directly (that would
     * write into the middle of the line being written); the retry thread does.
     */
    private synchronized void set(String now) {
        if (Objects.equals(problem, now)) {
            return;
        }
        boolean wasFine = problem == null;
        problem = now;
        listener.accept(now);
        if (wasFine) {
            failingSince = Instant.now();
            retries = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "nexus-log-retry");
                t.setDaemon(true);
                return t;
            });
            Instant since = failingSince;
            retries.scheduleWithFixedDelay(() -> log.info("The engine log could not be written since {}; trying again",
                    since), RETRY_SECONDS, RETRY_SECONDS, TimeUnit.SECONDS);
        } else if (now == null) {
            Instant since = failingSince;
            retries.execute(() -> log.warn("The engine log could not be written from {} until now; what was "
                    + "logged meanwhile is lost", since));
            retries.shutdown(); // ends the periodic retry, runs that last line
            retries = null;
        }
    }
}
