package dev.nexus.services.tray.model;

import static dev.nexus.services.tray.model.Snapshots.NOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.health.Health;
import dev.nexus.services.health.Lifecycle;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class MenuModelTest {
    private final List<ServiceSnapshot> services = List.of(Snapshots.healthy("gateway"),
            Snapshots.backoff("cloud", NOW.plusSeconds(8), 3), Snapshots.stopped("hub"),
            withKind(Snapshots.disabled("collab"), "connection"));

    @Test
    void oneCheckItemPerServiceCheckedWhileRunningLabelledWithItsState() {
        MenuModel menu = MenuModel.of(services, LinkStatus.CONNECTED, Set.of(), NOW);
        List<MenuEntry.Check> checks = menu.entries().stream().filter(e -> e instanceof MenuEntry.Check)
                .map(e -> (MenuEntry.Check) e).toList();
        assertEquals(List.of(
                new MenuEntry.Check("Gateway: Healthy", true, true, MenuAction.of(MenuAction.Kind.STOP, "gateway")),
                new MenuEntry.Check("Cloud: Restarting (attempt 3)", true, true, MenuAction.of(MenuAction.Kind.STOP, "cloud")),
                new MenuEntry.Check("Hub: Stopped", false, true, MenuAction.of(MenuAction.Kind.START, "hub")),
                new MenuEntry.Check("Collab: Disabled", false, false, MenuAction.of(MenuAction.Kind.START, "collab"))),
                checks);
    }

    @Test
    void fixedItemsInOrderWithLogsPerServiceThatHasLogs() {
        MenuModel menu = MenuModel.of(services, LinkStatus.CONNECTED, Set.of(), NOW);
        List<String> labels = menu.entries().stream().map(MenuModelTest::label).toList();
        assertEquals(List.of("Gateway: Healthy", "Cloud: Restarting (attempt 3)", "Hub: Stopped", "Collab: Disabled",
                "-", "Start all", "Stop all", "-", "Open", "Settings…", "Logs ▸", "-", "Quit"), labels);
        MenuEntry.Submenu logs = (MenuEntry.Submenu) menu.entries().get(10);
        assertEquals(List.of(new MenuEntry.Item("Gateway", true, MenuAction.of(MenuAction.Kind.LOGS, "gateway")),
                new MenuEntry.Item("Cloud", true, MenuAction.of(MenuAction.Kind.LOGS, "cloud")),
                new MenuEntry.Item("Hub", true, MenuAction.of(MenuAction.Kind.LOGS, "hub"))), logs.entries());
    }

    @Test
    void aServiceWithACommandInFlightCannotBeToggledAgain() {
        MenuModel menu = MenuModel.of(services, LinkStatus.CONNECTED, Set.of("gateway"), NOW);
        MenuEntry.Check gateway = (MenuEntry.Check) menu.entries().get(0);
        assertFalse(gateway.enabled());
    }

    @Test
    void unreachableEngineOffersRetryAndDisablesCommands() {
        MenuModel menu = MenuModel.of(services, LinkStatus.unreachable("refused", NOW.plusSeconds(4)), Set.of(), NOW);
        assertEquals(new MenuEntry.Item("Engine unreachable — Retry now", true,
                MenuAction.of(MenuAction.Kind.RETRY_ENGINE)), menu.entries().get(0));
        assertTrue(menu.entries().stream().filter(e -> e instanceof MenuEntry.Check)
                .noneMatch(e -> ((MenuEntry.Check) e).enabled()));
        assertTrue(menu.entries().stream().filter(e -> e instanceof MenuEntry.Item i && i.label().endsWith(" all"))
                .noneMatch(e -> ((MenuEntry.Item) e).enabled()));
    }

    @Test
    void countdownsAndLatencyDoNotChangeTheMenuSoItIsNotRebuiltEverySecond() {
        MenuModel a = MenuModel.of(services, LinkStatus.CONNECTED, Set.of(), NOW);
        MenuModel b = MenuModel.of(services, LinkStatus.CONNECTED, Set.of(), NOW.plusSeconds(5));
        assertEquals(a, b);
        MenuModel c = MenuModel.of(List.of(Snapshots.stopped("gateway"), services.get(1), services.get(2), services.get(3)),
                LinkStatus.CONNECTED, Set.of(), NOW);
        assertNotEquals(a, c);
        assertTrue(a.sameShape(c), "a state change updates items in place");
        MenuModel d = MenuModel.of(services.subList(0, 3), LinkStatus.CONNECTED, Set.of(), NOW);
        assertFalse(a.sameShape(d), "a removed service rebuilds");
    }

    @Test
    void crashLoopIsCheckedAndItsLabelSaysSo() {
        MenuModel menu = MenuModel.of(List.of(Snapshots.daemon("cloud", Lifecycle.CRASH_LOOP, Health.UNKNOWN)),
                LinkStatus.CONNECTED, Set.of(), NOW);
        assertEquals(new MenuEntry.Check("Cloud: Crash loop", true, true, MenuAction.of(MenuAction.Kind.STOP, "cloud")),
                menu.entries().get(0));
    }

    private static String label(MenuEntry e) {
        if (e instanceof MenuEntry.Item i) {
            return i.label();
        }
        if (e instanceof MenuEntry.Check c) {
            return c.label();
        }
        if (e instanceof MenuEntry.Submenu s) {
            return s.label() + " ▸";
        }
        return "-";
    }

    private static ServiceSnapshot withKind(ServiceSnapshot s, String kind) {
        return new ServiceSnapshot(s.name(), s.displayName(), kind, s.manager(), s.enabled(), s.lifecycle(), s.health(),
                s.status(), s.failure(), s.message(), s.pid(), s.startedAt(), s.restarts(), s.lastExit(), s.lastExitAt(),
                s.latencyMs(), s.nextRestartAt(), s.attempt(), s.detail(), s.children(), s.job());
    }
}
