package dev.nexus.services.tray.model;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.engine.ServiceSnapshot;
import dev.nexus.services.engine.WakeRecovery;
import dev.nexus.services.support.Json;
import dev.nexus.services.tray.EngineCommands;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Everything the tray shows, and the commands it sends. Confined to one thread (the UI thread): engine
 * events and command results are handed to it through {@code ui}. Views only read from it and call its
 * commands; they hold no state of their own.
 */
public final class TrayViewModel {
    /** How many engine errors the popover keeps; older ones scroll away. */
    static final int MAX_ERRORS = 3;
    /** Marks "Start all" / "Stop all" in flight. */
    static final String ALL = "*";

    /** Sees each service change with the state before it (null the first time a service is seen). */
    public interface TransitionListener {
        void changed(ServiceSnapshot before, ServiceSnapshot after);
    }

    /** Sees each new or grown recovery after a wake (before is null when the engine had none yet). */
    public interface RecoveryListener {
        void changed(WakeRecovery before, WakeRecovery after);
    }

    /** An error from the engine, for people: "Could not stop cloud: …". */
    public record EngineError(long id, String text, Instant at) {
    }

    private final Clock clock;
    private final EngineCommands commands;
    private final Executor ui;
    private final Map<String, ServiceSnapshot> services = new LinkedHashMap<>();
    private final Set<String> pending = new HashSet<>();
    private final List<EngineError> errors = new ArrayList<>();
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    private final List<TransitionListener> transitionListeners = new CopyOnWriteArrayList<>();
    private final List<RecoveryListener> recoveryListeners = new CopyOnWriteArrayList<>();
    private EngineSnapshot.EngineInfo engine;
    private LinkStatus link = LinkStatus.CONNECTING;
    private long errorIds;

    /**
     * @param commands how commands reach the engine
     * @param ui       runs command results on the model's thread (Platform::runLater in the app)
     */
    public TrayViewModel(Clock clock, EngineCommands commands, Executor ui) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.commands = Objects.requireNonNull(commands, "commands");
        this.ui = Objects.requireNonNull(ui, "ui");
    }

    public void addListener(Runnable onChange) {
        listeners.add(onChange);
    }

    public void addTransitionListener(TransitionListener listener) {
        transitionListeners.add(listener);
    }

    public void addRecoveryListener(RecoveryListener listener) {
        recoveryListeners.add(listener);
    }

    // ---- engine → model -------------------------------------------------------------------------

    /** A whole picture (on connect and reconnect); services gone from it are dropped. */
    public void applySnapshot(EngineSnapshot snapshot) {
        setEngine(snapshot.engine());
        Map<String, ServiceSnapshot> before = new LinkedHashMap<>(services);
        services.clear();
        for (ServiceSnapshot s : snapshot.services()) {
            services.put(s.name(), s);
        }
        for (ServiceSnapshot s : snapshot.services()) {
            ServiceSnapshot old = before.get(s.name());
            if (!s.equals(old)) {
                transitionListeners.forEach(l -> l.changed(old, s));
            }
        }
        changed();
    }

    public void applyService(ServiceSnapshot s) {
        ServiceSnapshot old = services.put(s.name(), s);
        transitionListeners.forEach(l -> l.changed(old, s));
        changed();
    }

    public void applyRemoved(ServiceSnapshot s) {
        if (services.remove(s.name()) != null) {
            pending.remove(s.name());
            changed();
        }
    }

    public void applyEngine(EngineSnapshot.EngineInfo info) {
        setEngine(info);
        changed();
    }

    private void setEngine(EngineSnapshot.EngineInfo info) {
        boolean seenBefore = engine != null;
        WakeRecovery before = seenBefore ? engine.lastRecovery() : null;
        WakeRecovery after = info == null ? null : info.lastRecovery();
        engine = info;
        // The first picture of the engine may carry an old recovery: that is history, not news.
        if (seenBefore && after != null && !after.equals(before)) {
            recoveryListeners.forEach(l -> l.changed(before, after));
        }
    }

    public void applyLink(LinkStatus status) {
        link = Objects.requireNonNull(status, "status");
        changed();
    }

    // ---- reading ----------------------------------------------------------------------------------

    public Instant now() {
        return clock.instant();
    }

    public LinkStatus link() {
        return link;
    }

    public EngineSnapshot.EngineInfo engine() {
        return engine;
    }

    public List<ServiceSnapshot> services() {
        return List.copyOf(services.values());
    }

    public ServiceSnapshot service(String name) {
        return services.get(name);
    }

    public TraySummary summary() {
        return TraySummary.of(services.values(), link, now());
    }

    public MenuModel menu() {
        return MenuModel.of(services.values(), link, pendingNames(), now());
    }

    public List<ServiceRow> rows() {
        Instant now = now();
        Set<String> inFlight = pendingNames();
        return services.values().stream()
                .map(s -> ServiceRow.of(s, link.connected(), inFlight.contains(s.name()), now)).toList();
    }

    public List<EngineError> errors() {
        return List.copyOf(errors);
    }

    public boolean allPending() {
        return pending.contains(ALL);
    }

    /** Catalog problems and the engine's own note, one line each. */
    public List<String> engineNotes() {
        if (engine == null) {
            return List.of();
        }
        List<String> notes = new ArrayList<>(engine.problems());
        if (engine.note() != null && !engine.note().isBlank()) {
            notes.add(0, engine.note());
        }
        if (engine.wakeGraceUntil() != null && now().isBefore(engine.wakeGraceUntil())) {
            long seconds = Math.max(1, java.time.Duration.between(now(), engine.wakeGraceUntil()).toSeconds());
            notes.add(0, "Waking up… every service is being checked; nothing is restarted for another "
                    + seconds + " s");
        }
        return notes;
    }

    /** Names with a command in flight; every service while "Start all"/"Stop all" runs. */
    private Set<String> pendingNames() {
        if (pending.contains(ALL)) {
            return services.keySet();
        }
        return Collections.unmodifiableSet(pending);
    }

    // ---- commands ---------------------------------------------------------------------------------

    public void start(String service) {
        send("start", service, "start " + service);
    }

    public void stop(String service) {
        send("stop", service, "stop " + service);
    }

    public void restart(String service) {
        send("restart", service, "restart " + service);
    }

    /** Flips a service: stops it when it runs (or is meant to), starts it otherwise. */
    public void toggle(String service) {
        ServiceSnapshot s = services.get(service);
        if (s != null && s.lifecycle().isActive()) {
            stop(service);
        } else {
            start(service);
        }
    }

    public void startAll() {
        send("start", ALL, "start every service");
    }

    public void stopAll() {
        send("stop", ALL, "stop every service");
    }

    /**
     * Sends the engine command a menu action stands for (start, stop, restart, start all, stop all).
     *
     * @return false for actions that are the app's to handle (windows, retry, quit)
     */
    public boolean perform(MenuAction action) {
        switch (action.kind()) {
            case START -> start(action.service());
            case STOP -> stop(action.service());
            case RESTART -> restart(action.service());
            case START_ALL -> startAll();
            case STOP_ALL -> stopAll();
            default -> {
                return false;
            }
        }
        return true;
    }

    public void dismissError(long id) {
        if (errors.removeIf(e -> e.id() == id)) {
            changed();
        }
    }

    /** Shows a failure that happened outside a command (opening a window, reading a file). */
    public void reportError(String what, Throwable error) {
        addError("Could not " + what + ": " + describe(error));
        changed();
    }

    private void send(String op, String target, String what) {
        if (pending.contains(target) || pending.contains(ALL)) {
            return; // one command per service at a time; the row shows it is busy
        }
        ObjectNode args = Json.MAPPER.createObjectNode();
        if (ALL.equals(target)) {
            args.put("all", true);
        } else {
            args.putArray("services").add(target);
        }
        pending.add(target);
        changed();
        CompletableFuture<?> reply;
        try {
            reply = commands.call(op, args);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((result, error) -> ui.execute(() -> {
            pending.remove(target);
            if (error != null) {
                addError("Could not " + what + ": " + describe(error));
            }
            changed();
        }));
    }

    private void addError(String text) {
        errors.add(new EngineError(++errorIds, text, now()));
        while (errors.size() > MAX_ERRORS) {
            errors.remove(0);
        }
    }

    /** The innermost message, without wrapper exceptions' class names. */
    public static String describe(Throwable error) {
        Throwable t = error;
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    private void changed() {
        for (Runnable l : listeners) {
            l.run();
        }
    }
}
