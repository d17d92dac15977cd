package dev.nexus.services.tray.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.control.ControlException;
import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.supervise.Backoff;
import dev.nexus.services.tray.LiveEngine;
import dev.nexus.services.tray.model.LinkStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The link against a real engine on a real control socket. */
class EngineLinkTest {
    static final Backoff FAST = new Backoff(Duration.ofMillis(100), 2, Duration.ofMillis(400), 0);

    @TempDir
    Path root;
    LiveEngine live;
    EngineLink link;
    final Recorder recorder = new Recorder();

    /** Everything the link reports, in order. */
    static final class Recorder implements EngineListener {
        final List<Object> events = new CopyOnWriteArrayList<>();

        @Override
        public void snapshot(EngineSnapshot snapshot) {
            events.add(snapshot);
        }

        @Override
        public void service(ServiceSnapshot service) {
            events.add(service);
        }

        @Override
        public void removed(ServiceSnapshot service) {
            events.add("removed " + service.name());
        }

        @Override
        public void engine(EngineSnapshot.EngineInfo info) {
            events.add(info);
        }

        @Override
        public void link(LinkStatus status) {
            events.add(status);
        }

        LinkStatus lastLink() {
            for (int i = events.size() - 1; i >= 0; i--) {
                if (events.get(i) instanceof LinkStatus s) {
                    return s;
                }
            }
            return null;
        }

        long count(Class<?> type) {
            return events.stream().filter(type::isInstance).count();
        }

        ServiceSnapshot lastOf(String service) {
            for (int i = events.size() - 1; i >= 0; i--) {
                if (events.get(i) instanceof ServiceSnapshot s && s.name().equals(service)) {
                    return s;
                }
                if (events.get(i) instanceof EngineSnapshot e) {
                    return e.services().stream().filter(s -> s.name().equals(service)).findFirst().orElse(null);
                }
            }
            return null;
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        if (link != null) {
            link.close();
        }
        if (live != null) {
            live.close();
        }
    }

    private void startEngine() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        live = LiveEngine.start(paths, LiveEngine.daemon(paths, "alpha", "Alpha"));
    }

    @Test
    void subscribesThenFollowsEventsFromCommandsItSends() throws Exception {
        startEngine();
        link = new EngineLink(live.paths, recorder, null, FAST, Clock.systemUTC());
        link.start();
        LiveEngine.waitUntil("connected", () -> recorder.lastLink() == LinkStatus.CONNECTED);
        assertEquals(LinkStatus.CONNECTING, recorder.events.get(0));
        assertInstanceOf(EngineSnapshot.class, recorder.events.get(1), "the snapshot comes before CONNECTED");
        assertEquals(Lifecycle.RUNNING, recorder.lastOf("alpha").lifecycle());

        link.call("stop", (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(
                "{\"services\":[\"alpha\"]}")).get(30, TimeUnit.SECONDS);
        LiveEngine.waitUntil("the stop is seen through the event stream",
                () -> recorder.lastOf("alpha").lifecycle() == Lifecycle.STOPPED);
        assertEquals(Lifecycle.STOPPED, live.service("alpha").lifecycle());
    }

    @Test
    void refusedCommandsFailWithTheEnginesMessage() throws Exception {
        startEngine();
        link = new EngineLink(live.paths, recorder, null, FAST, Clock.systemUTC());
        link.start();
        ExecutionException e = assertThrows(ExecutionException.class, () -> link.call("stop",
                (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree("{\"services\":[\"nope\"]}"))
                .get(30, TimeUnit.SECONDS));
        assertInstanceOf(ControlException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("nope"), e.getCause().getMessage());
    }

    @Test
    void reconnectsWithBackoffWhenTheEngineGoesAwayAndComesBack() throws Exception {
        startEngine();
        link = new EngineLink(live.paths, recorder, null, FAST, Clock.systemUTC());
        link.start();
        LiveEngine.waitUntil("connected", () -> recorder.lastLink() == LinkStatus.CONNECTED);
        live.closeSocket();
        LiveEngine.waitUntil("unreachable", () -> recorder.lastLink().state() == LinkStatus.State.UNREACHABLE);
        LinkStatus unreachable = recorder.lastLink();
        assertTrue(unreachable.retryAt() != null && unreachable.describe(unreachable.retryAt().minusMillis(50))
                .startsWith("Engine unreachable — retrying in"), unreachable.toString());
        // Several failed retries while it is away, each reported.
        LiveEngine.waitUntil("two more failed attempts", () -> recorder.events.stream()
                .filter(e -> e instanceof LinkStatus s && s.state() == LinkStatus.State.UNREACHABLE).count() >= 3);
        ExecutionException e = assertThrows(ExecutionException.class, () -> link.call("snapshot",
                Json.MAPPER.createObjectNode()).get(10, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("not running"), e.getCause().getMessage());

        long snapshotsBefore = recorder.count(EngineSnapshot.class);
        live.listen();
        LiveEngine.waitUntil("reconnected", () -> recorder.lastLink() == LinkStatus.CONNECTED);
        assertEquals(snapshotsBefore + 1, recorder.count(EngineSnapshot.class), "a fresh snapshot on reconnect");
        assertTrue(link.connected());
    }

    @Test
    void startsTheEngineWhenNoneAnswers() throws Exception {
        NexusPaths paths = new NexusPaths(root);
        AtomicInteger starts = new AtomicInteger();
        link = new EngineLink(paths, recorder, p -> {
            starts.incrementAndGet();
            try {
                live = LiveEngine.start(p, LiveEngine.daemon(p, "alpha", "Alpha"));
            } catch (Exception e) {
                throw new IOException("could not start the test engine", e);
            }
        }, FAST, Clock.systemUTC());
        link.start();
        LiveEngine.waitUntil("connected", () -> recorder.lastLink() == LinkStatus.CONNECTED);
        assertEquals(1, starts.get());
        assertEquals("alpha", recorder.lastOf("alpha").name());
    }

    @Test
    void aStarterThatFailsIsReportedAndRetried() {
        NexusPaths paths = new NexusPaths(root);
        AtomicInteger starts = new AtomicInteger();
        link = new EngineLink(paths, recorder, p -> {
            starts.incrementAndGet();
            throw new IOException("the engine exited at once (exit 3): bad catalog");
        }, FAST, Clock.systemUTC());
        link.start();
        LiveEngine.waitUntil("two attempts", () -> starts.get() >= 2);
        LinkStatus s = recorder.lastLink();
        assertEquals(LinkStatus.State.UNREACHABLE, s.state());
        assertEquals("the engine exited at once (exit 3): bad catalog", s.error());
        assertFalse(link.connected());
    }
}
