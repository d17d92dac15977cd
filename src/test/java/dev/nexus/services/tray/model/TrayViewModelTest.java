package dev.nexus.services.tray.model;

import static dev.nexus.services.tray.model.Snapshots.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.control.ControlException;
import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.support.Json;
import java.io.IOException;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The view model's state and command bookkeeping; the engine's answers are completed by hand. */
class TrayViewModelTest {
    record Sent(String op, ObjectNode args, CompletableFuture<JsonNode> reply) {
    }

    final List<Sent> sent = new ArrayList<>();
    final List<Runnable> uiQueue = new ArrayList<>();
    final TrayViewModel model = new TrayViewModel(Clock.fixed(NOW, ZoneOffset.UTC), (op, args) -> {
        CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        sent.add(new Sent(op, args, reply));
        return reply;
    }, uiQueue::add);
    int changes;

    TrayViewModelTest() {
        model.addListener(() -> changes++);
    }

    private void runUi() {
        List<Runnable> tasks = new ArrayList<>(uiQueue);
        uiQueue.clear();
        tasks.forEach(Runnable::run);
    }

    private static EngineSnapshot snapshot(ServiceSnapshot... services) {
        return new EngineSnapshot(1, Snapshots.engineInfo(List.of(), null), List.of(services), NOW);
    }

    @Test
    void toggleStopsARunningServiceAndStartsAStoppedOne() {
        model.applySnapshot(snapshot(Snapshots.healthy("gateway"), Snapshots.stopped("hub")));
        model.applyLink(LinkStatus.CONNECTED);
        model.toggle("gateway");
        model.toggle("hub");
        assertEquals("stop", sent.get(0).op());
        assertEquals("[\"gateway\"]", sent.get(0).args().get("services").toString());
        assertEquals("start", sent.get(1).op());
        assertEquals("[\"hub\"]", sent.get(1).args().get("services").toString());
    }

    @Test
    void aServiceWithACommandInFlightIsBusyUntilTheReplyComesOnTheUiThread() {
        model.applySnapshot(snapshot(Snapshots.healthy("gateway")));
        model.applyLink(LinkStatus.CONNECTED);
        model.stop("gateway");
        ServiceRow row = model.rows().get(0);
        assertTrue(row.pending());
        assertFalse(row.controlsEnabled());
        model.stop("gateway");
        assertEquals(1, sent.size(), "a second click while busy sends nothing");
        sent.get(0).reply().complete(Json.MAPPER.createObjectNode());
        assertTrue(model.rows().get(0).pending(), "the reply is handled on the UI thread, not the reply's");
        runUi();
        assertFalse(model.rows().get(0).pending());
        assertTrue(model.errors().isEmpty());
    }

    @Test
    void refusedAndFailedCommandsBecomeErrorsThatCanBeDismissed() {
        model.applySnapshot(snapshot(Snapshots.healthy("gateway"), Snapshots.healthy("cloud")));
        model.applyLink(LinkStatus.CONNECTED);
        model.stop("gateway");
        model.restart("cloud");
        sent.get(0).reply().completeExceptionally(new ControlException("unknown_service", "unknown service \"gateway\""));
        sent.get(1).reply().completeExceptionally(new IOException("the engine did not answer 'restart' within 10 min"));
        runUi();
        List<TrayViewModel.EngineError> errors = model.errors();
        assertEquals(List.of("Could not stop gateway: unknown service \"gateway\"",
                "Could not restart cloud: the engine did not answer 'restart' within 10 min"),
                errors.stream().map(TrayViewModel.EngineError::text).toList());
        model.dismissError(errors.get(0).id());
        assertEquals(1, model.errors().size());
    }

    @Test
    void onlyTheLastFewErrorsAreKept() {
        model.applyLink(LinkStatus.CONNECTED);
        for (int i = 0; i < 5; i++) {
            model.reportError("open window " + i, new IllegalStateException("broken " + i));
        }
        assertEquals(TrayViewModel.MAX_ERRORS, model.errors().size());
        assertEquals("Could not open window 4: broken 4", model.errors().get(2).text());
    }

    @Test
    void startAllMarksEveryServiceBusy() {
        model.applySnapshot(snapshot(Snapshots.stopped("a"), Snapshots.stopped("b")));
        model.applyLink(LinkStatus.CONNECTED);
        model.startAll();
        assertTrue(sent.get(0).args().get("all").asBoolean());
        assertTrue(model.allPending());
        assertTrue(model.rows().stream().allMatch(ServiceRow::pending));
        model.start("a");
        assertEquals(1, sent.size());
        sent.get(0).reply().complete(Json.MAPPER.createObjectNode());
        runUi();
        assertFalse(model.allPending());
    }

    @Test
    void transitionsSeeTheStateBeforeIncludingAcrossAReconnect() {
        List<String> seen = new ArrayList<>();
        model.addTransitionListener((before, after) -> seen.add((before == null ? "new" : before.status().name())
                + "->" + after.status().name()));
        model.applySnapshot(snapshot(Snapshots.healthy("cloud")));
        model.applyService(Snapshots.unhealthy("cloud", "x"));
        model.applySnapshot(snapshot(Snapshots.unhealthy("cloud", "x"))); // reconnect, nothing changed
        model.applySnapshot(snapshot(Snapshots.healthy("cloud")));        // reconnect, it recovered meanwhile
        assertEquals(List.of("new->HEALTHY", "HEALTHY->DOWN", "DOWN->HEALTHY"), seen);
    }

    @Test
    void removedServicesLeaveAndEveryChangeIsAnnounced() {
        model.applySnapshot(snapshot(Snapshots.healthy("a"), Snapshots.healthy("b")));
        int before = changes;
        model.applyRemoved(Snapshots.healthy("a"));
        assertEquals(List.of("b"), model.services().stream().map(ServiceSnapshot::name).toList());
        assertNull(model.service("a"));
        assertEquals(before + 1, changes);
    }

    @Test
    void rowsAreDisabledWhileTheEngineIsUnreachable() {
        model.applySnapshot(snapshot(Snapshots.healthy("a")));
        model.applyLink(LinkStatus.unreachable("gone", NOW.plusSeconds(4)));
        assertFalse(model.rows().get(0).controlsEnabled());
        assertEquals("Engine unreachable — retrying in 4 s", model.link().describe(model.now()));
    }

    @Test
    void engineNotesListTheNoteThenCatalogProblems() {
        model.applyEngine(Snapshots.engineInfo(List.of("services.json line 3: unknown kind \"deamon\""),
                "running on the last good catalog"));
        assertEquals(List.of("running on the last good catalog", "services.json line 3: unknown kind \"deamon\""),
                model.engineNotes());
    }

    @Test
    void duringTheGraceAfterAWakeTheFirstNoteSaysWakingUpAndHowLong() {
        EngineSnapshot.EngineInfo base = Snapshots.engineInfo(List.of(), null);
        model.applyEngine(new EngineSnapshot.EngineInfo(base.pid(), base.version(), base.startedAt(), true,
                base.catalogFile(), true, List.of(), null, NOW.minusSeconds(3600), NOW.minusSeconds(5),
                NOW.plusSeconds(25), null));
        assertEquals(List.of("Waking up… every service is being checked; nothing is restarted for another 25 s"),
                model.engineNotes());

        model.applyEngine(new EngineSnapshot.EngineInfo(base.pid(), base.version(), base.startedAt(), true,
                base.catalogFile(), true, List.of(), null, NOW.minusSeconds(3600), NOW.minusSeconds(40),
                NOW.minusSeconds(10), null));
        assertEquals(List.of(), model.engineNotes(), "once the grace is over the note goes");
    }

    @Test
    void recoveryListenersHearOfNewRecoveriesButNotOfTheOneInTheFirstPicture() {
        List<String> heard = new java.util.ArrayList<>();
        model.addRecoveryListener((before, after) -> heard.add((before == null ? "-" : before.summary()) + " > "
                + after.summary()));
        EngineSnapshot.EngineInfo base = Snapshots.engineInfo(List.of(), null);
        java.util.function.Function<String, EngineSnapshot.EngineInfo> withRecovery = summary ->
                new EngineSnapshot.EngineInfo(base.pid(), base.version(), base.startedAt(), true, base.catalogFile(),
                        true, List.of(), null, NOW.minusSeconds(700), NOW.minusSeconds(100), null,
                        new dev.nexus.services.engine.WakeRecovery(NOW.minusSeconds(700), NOW.minusSeconds(100),
                                "logind", NOW.minusSeconds(70), true, List.of(), List.of(), List.of(), List.of(), summary));
        model.applyEngine(withRecovery.apply("old"));
        model.applyEngine(withRecovery.apply("old"));
        model.applyEngine(withRecovery.apply("1 restarted"));
        assertEquals(List.of("old > 1 restarted"), heard);
    }

    @Test
    void rowsCarryChildrenWithTheirOwnStatus() {
        ServiceSnapshot gateway = Snapshots.withChildren(Snapshots.healthy("gateway"), List.of(
                new ServiceSnapshot.ChildSnapshot("bridge", "Bridge", dev.nexus.services.health.DisplayStatus.HEALTHY,
                        "connected", 1L),
                new ServiceSnapshot.ChildSnapshot("canvas", "Canvas", dev.nexus.services.health.DisplayStatus.DOWN,
                        "connection refused", null)));
        model.applySnapshot(snapshot(gateway));
        model.applyLink(LinkStatus.CONNECTED);
        assertEquals(List.of(new ServiceRow.ChildRow("bridge", "Bridge", dev.nexus.services.health.DisplayStatus.HEALTHY,
                        "Healthy · 1 ms"),
                new ServiceRow.ChildRow("canvas", "Canvas", dev.nexus.services.health.DisplayStatus.DOWN,
                        "Down · connection refused")), model.rows().get(0).children());
    }
}
