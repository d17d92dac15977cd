package dev.nexus.services.tray.model;

import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.engine.WakeRecovery;
import dev.nexus.services.health.DisplayStatus;
import dev.nexus.services.health.FailureReason;
import dev.nexus.services.health.Lifecycle;
import dev.nexus.services.tray.NotificationType;
import dev.nexus.services.tray.TrayPreferences;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Decides which service changes deserve a notification, and merges the ones that come together.
 *
 * <p>Meaningful: a service goes down, recovers after having been down, enters a crash loop, waits for a
 * credential, has to be restarted after a wake from sleep, or a job finds skill updates. Each problem is told once per episode: a daemon cycling
 * through backoff and restarts gives one "down", not one per attempt; the episode ends when it is healthy
 * again ("recovered") or stopped by the user (silently).
 *
 * <p>Coalescing: transitions are held until {@link #QUIET} passes without another one (at most
 * {@link #MAX_HOLD} after the first), then become ONE notice, so a wake that touches four services gives
 * one notification. Time comes from the caller: nothing here sleeps.
 */
public final class NotificationPolicy {
    public static final Duration QUIET = Duration.ofSeconds(2);
    public static final Duration MAX_HOLD = Duration.ofSeconds(8);

    /** How bad an open episode is; only a worse state is told again. */
    private enum Episode { NONE, DOWN, CRASH_LOOP, CREDENTIALS }

    /** One meaningful change of one service. */
    record Transition(String service, String displayName, NotificationType type, String detail) {
    }

    private final Supplier<TrayPreferences> preferences;
    private final Map<String, Episode> episodes = new HashMap<>();
    /** Recoveries name services by id; notices use the names people see. */
    private final Map<String, String> displayNames = new HashMap<>();
    private final List<Transition> held = new ArrayList<>();
    private Instant firstHeldAt;
    private Instant lastHeldAt;

    /** @param preferences read when a transition happens, so a type turned off in Settings stops at once */
    public NotificationPolicy(Supplier<TrayPreferences> preferences) {
        this.preferences = Objects.requireNonNull(preferences, "preferences");
    }

    /** Feeds one change; {@code before} is null the first time the tray sees the service (never told). */
    public void observe(ServiceSnapshot before, ServiceSnapshot after, Instant now) {
        displayNames.put(after.name(), after.displayName());
        Episode open = episodes.getOrDefault(after.name(), Episode.NONE);
        Episode next = open;
        List<Transition> found = new ArrayList<>(2);
        if (!after.enabled() || after.lifecycle() == Lifecycle.STOPPED) {
            next = Episode.NONE; // stopped on purpose, or disabled: nothing to tell, nothing to recover from
        } else if (isCredentialWait(after)) {
            if (open != Episode.CREDENTIALS) {
                found.add(transition(after, NotificationType.CREDENTIAL_NEEDED, after.message()));
            }
            next = Episode.CREDENTIALS;
        } else if (after.lifecycle() == Lifecycle.CRASH_LOOP) {
            if (open != Episode.CRASH_LOOP) {
                found.add(transition(after, NotificationType.CRASH_LOOP, after.message()));
            }
            next = Episode.CRASH_LOOP;
        } else if (after.status() == DisplayStatus.DOWN) {
            if (open == Episode.NONE) {
                found.add(transition(after, NotificationType.DOWN, after.message()));
                next = Episode.DOWN;
            }
        } else if (after.status() == DisplayStatus.HEALTHY && open != Episode.NONE) {
            found.add(transition(after, NotificationType.RECOVERED, null));
            next = Episode.NONE;
        }
        if (before == null) {
            // The first sight of a service sets its episode but tells nothing: the icon already shows it.
            found.clear();
        }
        episodes.put(after.name(), next);
        Integer updatesBefore = before == null || before.job() == null ? null : before.job().updatesAvailable();
        Integer updatesAfter = after.job() == null ? null : after.job().updatesAvailable();
        if (before != null && (updatesBefore == null || updatesBefore == 0) && updatesAfter != null && updatesAfter > 0) {
            found.add(transition(after, NotificationType.SKILL_UPDATES,
                    updatesAfter + (updatesAfter == 1 ? " update available" : " updates available")));
        }
        TrayPreferences prefs = preferences.get();
        for (Transition t : found) {
            if (prefs.notifies(t.type())) {
                hold(t, now);
            }
        }
    }

    /**
     * Feeds what the engine did after a wake: each daemon it had to restart (new since {@code before}, the
     * previous state of the same or an earlier recovery) is told, merged with whatever else the wake changed.
     */
    public void observeRecovery(WakeRecovery before, WakeRecovery after, Instant now) {
        if (!preferences.get().notifies(NotificationType.WAKE_RESTART)) {
            return;
        }
        boolean sameWake = before != null && Objects.equals(before.wokeAt(), after.wokeAt());
        Set<String> known = new HashSet<>();
        if (sameWake) {
            before.restarted().forEach(r -> known.add(r.service()));
        }
        for (WakeRecovery.Restart restart : after.restarted()) {
            if (known.add(restart.service())) {
                String detail = restart.detail() == null ? restart.reason() : restart.reason() + ": " + restart.detail();
                hold(new Transition(restart.service(), displayNames.getOrDefault(restart.service(), restart.service()),
                        NotificationType.WAKE_RESTART, detail), now);
            }
        }
    }

    /** Forgets a service that left the catalog. */
    public void forget(String service) {
        episodes.remove(service);
        displayNames.remove(service);
    }

    /** When {@link #poll} should next be called, if anything is held. */
    public Optional<Instant> deadline() {
        if (held.isEmpty()) {
            return Optional.empty();
        }
        Instant quiet = lastHeldAt.plus(QUIET);
        Instant cap = firstHeldAt.plus(MAX_HOLD);
        return Optional.of(quiet.isBefore(cap) ? quiet : cap);
    }

    /** The notice for what is held, once things went quiet (or were held long enough); else empty. */
    public Optional<Notice> poll(Instant now) {
        Optional<Instant> due = deadline();
        if (due.isEmpty() || now.isBefore(due.get())) {
            return Optional.empty();
        }
        Notice notice = merge(held);
        held.clear();
        firstHeldAt = null;
        lastHeldAt = null;
        return Optional.of(notice);
    }

    private void hold(Transition t, Instant now) {
        if (held.isEmpty()) {
            firstHeldAt = now;
        }
        lastHeldAt = now;
        held.add(t);
    }

    private static boolean isCredentialWait(ServiceSnapshot s) {
        return s.lifecycle() == Lifecycle.FAILED && FailureReason.CREDENTIALS.id().equals(s.failure());
    }

    private static Transition transition(ServiceSnapshot s, NotificationType type, String detail) {
        return new Transition(s.name(), s.displayName(), type, detail);
    }

    /** One line per service (its transitions in order), one notice for all. */
    static Notice merge(List<Transition> transitions) {
        Map<String, List<Transition>> byService = new LinkedHashMap<>();
        for (Transition t : transitions) {
            byService.computeIfAbsent(t.service(), k -> new ArrayList<>()).add(t);
        }
        Set<NotificationType> types = EnumSet.noneOf(NotificationType.class);
        List<String> credentialServices = new ArrayList<>();
        boolean warning = false;
        List<String> lines = new ArrayList<>();
        String singleTitle = null;
        String singleText = null;
        for (List<Transition> list : byService.values()) {
            Transition last = list.get(list.size() - 1);
            for (Transition t : list) {
                types.add(t.type());
            }
            boolean wentDown = list.stream().anyMatch(t -> t.type() != NotificationType.RECOVERED
                    && t.type() != NotificationType.SKILL_UPDATES);
            Optional<Transition> wakeRestart = list.stream()
                    .filter(t -> t.type() == NotificationType.WAKE_RESTART).findFirst();
            String name = last.displayName();
            String title;
            String text;
            switch (last.type()) {
                case RECOVERED -> {
                    title = wakeRestart.isPresent() ? name + " was restarted after sleep"
                            : wentDown ? name + " went down and recovered" : name + " recovered";
                    text = "It is healthy again.";
                }
                case WAKE_RESTART -> {
                    title = name + " was restarted after sleep";
                    text = "It did not come back by itself after the wake (" + last.detail() + ").";
                }
                case DOWN -> {
                    title = name + " is down";
                    text = orDefault(last.detail(), "It stopped answering its health checks.");
                }
                case CRASH_LOOP -> {
                    title = name + " keeps crashing";
                    text = orDefault(last.detail(), "It is in a crash loop")
                            + ". Open Nexus to retry now or read its logs.";
                }
                case CREDENTIAL_NEEDED -> {
                    title = name + " needs a credential";
                    text = "It waits for its credential: set it in Settings.";
                    credentialServices.add(last.service());
                }
                case SKILL_UPDATES -> {
                    title = "Skill updates available";
                    text = last.detail() + " (" + name + ").";
                }
                default -> throw new IllegalStateException("unexpected notification type " + last.type());
            }
            warning |= last.type() == NotificationType.DOWN || last.type() == NotificationType.CRASH_LOOP
                    || last.type() == NotificationType.CREDENTIAL_NEEDED;
            lines.add(title);
            singleTitle = title;
            singleText = text;
        }
        if (byService.size() == 1) {
            return new Notice("Nexus: " + singleTitle, singleText, warning, types, credentialServices);
        }
        // One line: tray balloons do not break lines everywhere.
        return new Notice("Nexus: " + byService.size() + " services changed", String.join(" · ", lines), warning,
                types, credentialServices);
    }

    private static String orDefault(String text, String fallback) {
        return text == null || text.isBlank() ? fallback : text;
    }
}
