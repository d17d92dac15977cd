package dev.nexus.services.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.power.linux.LogindSleepSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The logind source against a real dbus-daemon standing in for the system bus and a stand-in logind
 * that hands out real inhibitor fds and can tell whether they are still open.
 */
class LogindSleepSourceTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    private PrivateSystemBus bus;
    private LogindStandIn logind;
    private LogindSleepSource source;

    @BeforeEach
    void startBus() throws IOException {
        assumeTrue(HostOs.CURRENT == HostOs.LINUX, "logind is Linux only");
        assumeTrue(PrivateSystemBus.toolsInstalled(), "dbus-daemon, dbus-send and python3-dbus/python3-gi are needed (scripts/test installs them)");
        bus = PrivateSystemBus.start(dir);
        logind = bus.startLogind();
    }

    @AfterEach
    void stopAll() {
        if (source != null) {
            source.close();
        }
        if (logind != null) {
            logind.close();
        }
        if (bus != null) {
            bus.close();
        }
    }

    private LogindSleepSource source(Duration prepareLimit) {
        source = new LogindSleepSource(bus.address(), LogindSleepSource.DEFAULT_LIBRARY, prepareLimit, Clock.systemUTC());
        return source;
    }

    @Test
    void takesTheDelayLockReleasesItOncePreparedAndTakesItAgainAfterWake() throws Exception {
        RecordingListener listener = new RecordingListener();
        CompletableFuture<Void> prepared = new CompletableFuture<>();
        listener.prepared = () -> prepared;
        source(Duration.ofSeconds(3)).start(listener);

        assertTrue(source.holdsDelayLock());
        assertEquals(logind.uniqueName(), source.logindOwner());
        assertEquals(1, logind.heldDelayLocks());

        CompletableFuture<LogindStandIn.SleepOutcome> sleep = CompletableFuture.supplyAsync(() -> {
            try {
                return logind.sleep(Duration.ofSeconds(5));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        SleepWakeEvent announced = listener.next(WAIT);
        assertEquals(SleepWakeEvent.Kind.SLEEP, announced.kind());
        assertEquals("logind", announced.source());
        // Not prepared yet: the lock holds the sleep back.
        assertTrue(source.holdsDelayLock());
        assertFalse(sleep.isDone());

        long preparedAt = System.nanoTime();
        prepared.complete(null);
        LogindStandIn.SleepOutcome outcome = sleep.get(WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        long releasedWithin = (System.nanoTime() - preparedAt) / 1_000_000;
        assertTrue(outcome.released(), "logind saw the lock released");
        assertFalse(source.holdsDelayLock());
        assertTrue(releasedWithin < 1000, "released " + releasedWithin + " ms after the engine was prepared");
        assertEquals(0, logind.heldDelayLocks());

        logind.wake();
        SleepWakeEvent woke = listener.next(WAIT);
        assertEquals(SleepWakeEvent.Kind.WAKE, woke.kind());
        Await.until("the lock taken again", WAIT, source::holdsDelayLock);
        assertEquals(1, logind.heldDelayLocks());
        assertEquals(2, logind.inhibitCalls());
        assertEquals(2, source.locksTaken());
    }

    @Test
    void letsTheMachineSleepWhenPreparingTakesLongerThanTheLimit() throws Exception {
        RecordingListener listener = new RecordingListener();
        listener.prepared = CompletableFuture::new; // never completes
        source(Duration.ofMillis(300)).start(listener);

        LogindStandIn.SleepOutcome outcome = logind.sleep(Duration.ofSeconds(5));

        assertTrue(outcome.released(), "released before logind's own limit");
        assertTrue(outcome.waited().toMillis() >= 250 && outcome.waited().toMillis() < 2000,
                "waited " + outcome.waited().toMillis() + " ms");
        assertEquals(SleepWakeEvent.Kind.SLEEP, listener.next(WAIT).kind());
        logind.wake();
        assertEquals(SleepWakeEvent.Kind.WAKE, listener.next(WAIT).kind());
        Await.until("the lock taken again", WAIT, source::holdsDelayLock);
    }

    @Test
    void ignoresPrepareForSleepFromAnyoneButLogind() throws Exception {
        RecordingListener listener = new RecordingListener();
        source(Duration.ofSeconds(3)).start(listener);

        bus.spoofPrepareForSleep(null, true);                   // broadcast, as any local user can
        bus.spoofPrepareForSleep(source.uniqueName(), true);    // straight to this connection: past every match rule
        bus.spoofPrepareForSleep(source.uniqueName(), false);

        Await.until("the spoofed signals reaching the source", WAIT, () -> source.ignoredSignals() >= 2);
        assertNull(listener.events.peek(), "no event from a spoofed signal: " + listener.all);
        assertTrue(source.holdsDelayLock(), "a spoofed sleep releases nothing");
        assertEquals(1, logind.heldDelayLocks());

        // The real logind still gets through: the silence above was not a deaf listener.
        logind.sleep(Duration.ofSeconds(5));
        assertEquals(SleepWakeEvent.Kind.SLEEP, listener.next(WAIT).kind());
        assertEquals(2, source.ignoredSignals());
    }

    @Test
    void fiftySleepWakeCyclesLeakNoFileDescriptorsOrThreads() throws Exception {
        Map<String, Long> fdsBefore = openFds();
        RecordingListener listener = new RecordingListener();
        source(Duration.ofSeconds(3)).start(listener);
        cycle(listener); // warm-up: JNA, callbacks and the JDK's own lazy threads settle
        Map<String, Long> fds = openFds();
        Set<Thread> threads = liveThreads();
        assertEquals(fdsBefore.get("socket") + 1, fds.get("socket"), "the bus connection: " + fds);
        // At most one: the loop's wake-up fd (an HttpClient an earlier test dropped may close its own meanwhile).
        assertTrue(fds.get("eventfd") - fdsBefore.get("eventfd") <= 1, "the loop's wake-up fd: " + fdsBefore + " -> " + fds);
        assertEquals(fdsBefore.get("pipe") + 1, fds.get("pipe"), "the inhibitor fd (a pipe from the stand-in): " + fds);

        for (int i = 0; i < 50; i++) {
            cycle(listener);
        }

        assertNoMoreFds(fds, openFds(), "after 50 cycles");
        // New threads, by identity: threads other tests left behind may end meanwhile (seen in CI: 33 -> 31).
        Set<Thread> added = liveThreads();
        added.removeAll(threads);
        assertEquals(List.of(), added.stream().map(Thread::getName).toList(), "threads started by 50 cycles");
        assertEquals(1, logind.heldDelayLocks());
        assertEquals(52, logind.inhibitCalls());
        assertEquals(1, threadsNamed("nexus-logind"));

        source.close();
        assertEquals(0, logind.heldDelayLocks(), "closing the source releases the lock");
        assertEquals(0, threadsNamed("nexus-logind"));
        assertNoMoreFds(fdsBefore, openFds(), "after close (bus socket, eventfd and lock all closed)");
    }

    /**
     * Sockets, pipes and eventfds must not grow (one leak per cycle would show as 50); other fds (jar
     * files the JVM opens while loading classes) by a few at most. All may shrink: an HttpClient an
     * earlier test in this JVM dropped closes its selector (an eventfd and an epoll fd) once collected
     * (seen in CI: eventfds 16 -> 11, others 65 -> 60, and its threads end too).
     */
    private static void assertNoMoreFds(Map<String, Long> expected, Map<String, Long> actual, String when) {
        for (String kind : List.of("socket", "pipe", "eventfd")) {
            assertTrue(actual.get(kind) <= expected.get(kind), kind + " fds " + when + ": " + expected + " -> " + actual);
        }
        assertTrue(actual.get("other") - expected.get("other") <= 2,
                "other fds " + when + ": " + expected + " -> " + actual);
    }

    private void cycle(RecordingListener listener) throws Exception {
        LogindStandIn.SleepOutcome outcome = logind.sleep(Duration.ofSeconds(5));
        assertTrue(outcome.released());
        assertEquals(SleepWakeEvent.Kind.SLEEP, listener.next(WAIT).kind());
        logind.wake();
        assertEquals(SleepWakeEvent.Kind.WAKE, listener.next(WAIT).kind());
        Await.until("the lock taken again", WAIT, source::holdsDelayLock);
    }

    @Test
    void followsLogindWhenItIsReplaced() throws Exception {
        RecordingListener listener = new RecordingListener();
        source(Duration.ofSeconds(3)).start(listener);
        String first = logind.uniqueName();

        logind.close();
        Await.until("logind gone", WAIT, () -> source.logindOwner() == null);
        Await.until("the lock of the old logind let go", WAIT, () -> !source.holdsDelayLock());

        logind = bus.startLogind();
        Await.until("the new logind followed", WAIT, () -> logind.uniqueName().equals(source.logindOwner()));
        Await.until("a lock from the new logind", WAIT, source::holdsDelayLock);
        assertEquals(1, logind.heldDelayLocks());
        assertFalse(first.equals(logind.uniqueName()));

        logind.sleep(Duration.ofSeconds(5));
        assertEquals(SleepWakeEvent.Kind.SLEEP, listener.next(WAIT).kind());
    }

    @Test
    void reconnectsWhenTheBusComesBack() throws Exception {
        RecordingListener listener = new RecordingListener();
        source(Duration.ofSeconds(3)).start(listener);
        logind.close();
        bus.close();
        Await.until("the bus loss noticed", WAIT, () -> source.uniqueName() == null);

        bus = PrivateSystemBus.start(dir);
        logind = bus.startLogind();
        Await.until("connected again with a lock", Duration.ofSeconds(20), source::holdsDelayLock);
        assertEquals(1, logind.heldDelayLocks());
        logind.sleep(Duration.ofSeconds(5));
        assertEquals(SleepWakeEvent.Kind.SLEEP, listener.next(WAIT).kind());
    }

    @Test
    void withoutABusOrWithoutLibsystemdItIsNotAvailable() throws Exception {
        long threads = threadsNamed("nexus-logind");
        SourceUnavailableException noBus = assertThrows(SourceUnavailableException.class, () ->
                new LogindSleepSource("unix:path=" + dir.resolve("no-such-socket"), LogindSleepSource.DEFAULT_LIBRARY,
                        Duration.ofSeconds(3), Clock.systemUTC()).start(new RecordingListener()));
        assertTrue(noBus.getMessage().contains("no bus at unix:path="), noBus.getMessage());

        SourceUnavailableException noLibrary = assertThrows(SourceUnavailableException.class, () ->
                new LogindSleepSource(bus.address(), "libsystemd-not-installed.so.0", Duration.ofSeconds(3),
                        Clock.systemUTC()).start(new RecordingListener()));
        assertTrue(noLibrary.getMessage().contains("libsystemd is not installed"), noLibrary.getMessage());
        Await.until("no bus thread left", WAIT, () -> threadsNamed("nexus-logind") == threads);
    }

    /** This process's open fds by kind: socket, pipe, eventfd, other. */
    static Map<String, Long> openFds() throws IOException {
        Map<String, Long> kinds = new TreeMap<>(Map.of("socket", 0L, "pipe", 0L, "eventfd", 0L, "other", 0L));
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                String target;
                try {
                    target = Files.readSymbolicLink(fd).toString();
                } catch (IOException e) {
                    continue; // the directory listing's own fd, closed by now
                }
                String kind = target.startsWith("socket:") ? "socket" : target.startsWith("pipe:") ? "pipe"
                        : target.equals("anon_inode:[eventfd]") ? "eventfd" : "other";
                kinds.merge(kind, 1L, Long::sum);
            }
        }
        return kinds;
    }

    static Set<Thread> liveThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
    }

    static long threadsNamed(String name) {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.isAlive() && t.getName().equals(name)).count();
    }
}
