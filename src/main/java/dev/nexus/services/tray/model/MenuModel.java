package dev.nexus.services.tray.model;

import dev.nexus.services.engine.ServiceSnapshot;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The tray menu as data: one check item per service (checked = running, labelled with its state),
 * Start all, Stop all, Open, Settings…, Logs ▸ per service with logs, Quit. Rebuilt from the model on
 * every change; the tray only touches its widgets when this differs from what it shows.
 */
public record MenuModel(List<MenuEntry> entries) {
    public MenuModel {
        entries = List.copyOf(entries);
    }

    public static MenuModel of(Collection<ServiceSnapshot> services, LinkStatus link, Set<String> pending,
                               Instant now) {
        List<MenuEntry> entries = new ArrayList<>();
        boolean connected = link.connected();
        if (!connected) {
            // No countdown here: a menu must not change every second.
            String text = link.state() == LinkStatus.State.CONNECTING ? "Connecting to the engine…"
                    : "Engine unreachable — Retry now";
            entries.add(new MenuEntry.Item(text, link.state() == LinkStatus.State.UNREACHABLE,
                    MenuAction.of(MenuAction.Kind.RETRY_ENGINE)));
            entries.add(new MenuEntry.Separator());
        }
        List<MenuEntry> logs = new ArrayList<>();
        for (ServiceSnapshot s : services) {
            boolean running = s.lifecycle().isActive();
            String label = s.displayName() + ": " + StateText.of(s, now).shortSummary();
            MenuAction action = MenuAction.of(running ? MenuAction.Kind.STOP : MenuAction.Kind.START, s.name());
            entries.add(new MenuEntry.Check(label, running, connected && s.enabled() && !pending.contains(s.name()),
                    action));
            if (!"connection".equals(s.kind())) {
                logs.add(new MenuEntry.Item(s.displayName(), true, MenuAction.of(MenuAction.Kind.LOGS, s.name())));
            }
        }
        if (!services.isEmpty()) {
            entries.add(new MenuEntry.Separator());
        }
        entries.add(new MenuEntry.Item("Start all", connected, MenuAction.of(MenuAction.Kind.START_ALL)));
        entries.add(new MenuEntry.Item("Stop all", connected, MenuAction.of(MenuAction.Kind.STOP_ALL)));
        entries.add(new MenuEntry.Separator());
        entries.add(new MenuEntry.Item("Open", true, MenuAction.of(MenuAction.Kind.OPEN)));
        entries.add(new MenuEntry.Item("Settings…", true, MenuAction.of(MenuAction.Kind.SETTINGS)));
        entries.add(new MenuEntry.Submenu("Logs", !logs.isEmpty(), logs));
        entries.add(new MenuEntry.Separator());
        entries.add(new MenuEntry.Item("Quit", true, MenuAction.of(MenuAction.Kind.QUIT)));
        return new MenuModel(entries);
    }

    /** True when {@code other} can be shown by updating this menu's widgets in place (no rebuild, no flicker). */
    public boolean sameShape(MenuModel other) {
        if (other == null || other.entries.size() != entries.size()) {
            return false;
        }
        for (int i = 0; i < entries.size(); i++) {
            if (!MenuEntry.sameShape(entries.get(i), other.entries.get(i))) {
                return false;
            }
        }
        return true;
    }
}
