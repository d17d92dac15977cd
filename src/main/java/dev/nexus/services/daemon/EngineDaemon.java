package dev.nexus.services.daemon;

import dev.nexus.services.control.ControlServer;
import dev.nexus.services.control.EngineControlHandler;
import dev.nexus.services.engine.Engine;
import dev.nexus.services.engine.EngineOptions;
import dev.nexus.services.manager.OsManagers;
import dev.nexus.services.power.RecoveryCoordinator;
import dev.nexus.services.power.SleepWakeMonitor;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.support.PrivateDirs;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The headless {@code nexus-services daemon}: one per user (lock), the engine, and the control
 * socket. It never loads JavaFX. On exit it leaves services running for the next engine to adopt.
 */
public final class EngineDaemon {
    private final NexusPaths paths;
    private final CountDownLatch stopRequested = new CountDownLatch(1);

    public EngineDaemon(NexusPaths paths) {
        this.paths = paths;
    }

    /** Thrown when another engine already runs for this NEXUS_ROOT. */
    public static final class AlreadyRunningException extends IOException {
        private static final long serialVersionUID = 1L;

        AlreadyRunningException(String message) {
            super(message);
        }
    }

    /**
     * Runs until {@link #requestStop()} or a signal (SIGTERM, Ctrl-C).
     *
     * @param logToFile true for a detached daemon (logs go to engine.log); false keeps stderr logging
     */
    public void run(boolean logToFile) throws IOException, InterruptedException {
        PrivateDirs.create(paths.run());
        Optional<EngineLock> lock = EngineLock.tryAcquire(paths.engineLock());
        if (lock.isEmpty()) {
            throw new AlreadyRunningException("an engine is already running for " + paths.root()
                    + EngineLock.holderPid(paths.engineLock()).map(p -> " (pid " + p + ")").orElse(""));
        }
        EngineLogTrouble logTrouble = logToFile ? DaemonLogging.toFile(paths.engineLog()) : null;
        Logger log = LoggerFactory.getLogger(EngineDaemon.class);
        try (EngineLock held = lock.get()) {
            Engine engine = Engine.start(EngineOptions.defaults(paths)
                    .withManagers(OsManagers.lookup(paths, System.getenv())));
            if (logTrouble != null) {
                logTrouble.reportTo(problem -> engine.storageProblem("engine log", problem == null ? null
                        : "cannot write " + paths.engineLog() + " (" + problem + "): the engine's own log is "
                        + "lost until it can be written; services keep running"));
            }
            // Sleep and wake from the OS (logind, IOKit, Windows) and the clock fallback.
            RecoveryCoordinator power = RecoveryCoordinator.start(engine, SleepWakeMonitor.forThisSystem());
            ControlServer server = new ControlServer(paths.controlSocket(),
                    new EngineControlHandler(engine, this::requestStop));
            server.start();
            Thread hook = new Thread(() -> {
                requestStop();
                shutdown(server, power, engine, log);
            }, "nexus-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            log.info("Control socket ready at {}", paths.controlSocket());
            stopRequested.await();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
                shutdown(server, power, engine, log);
            } catch (IllegalStateException alreadyShuttingDown) {
                // the hook does it
            }
        }
    }

    private static synchronized void shutdown(ControlServer server, RecoveryCoordinator power, Engine engine,
                                              Logger log) {
        try {
            server.close();
        } catch (RuntimeException e) {
            log.warn("Control server did not close cleanly: {}", e.toString());
        }
        power.close(); // releases the inhibitor lock: a stopped engine must not hold up sleep
        engine.close();
    }

    public void requestStop() {
        stopRequested.countDown();
    }
}
