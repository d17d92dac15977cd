package dev.nexus.services.tray.settings;

import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.catalog.Probes;
import dev.nexus.services.catalog.ServiceKind;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.support.Durations;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * One service in the Services tab: its editable settings next to what services.json holds.
 *
 * <p>Autostart is not a field of its own: a service starts with the engine when it is enabled and the user
 * wants it up (the engine keeps that wish across restarts). So autostart implies enabled, and disabling a
 * service clears autostart. When the engine cannot be asked, the wish is unknown and autostart cannot be
 * changed.
 */
public final class ServiceRow {
    /** Auto and embedded: what can be picked when nobody said which OS managers are usable. */
    static final Set<ManagerKind> ALWAYS_SELECTABLE = Set.of(ManagerKind.AUTO, ManagerKind.EMBEDDED);

    private ServiceSpec saved;
    private final boolean autostartKnown;
    private final Set<ManagerKind> selectable;
    private boolean savedAutostart;

    private final BooleanProperty enabled = new SimpleBooleanProperty(this, "enabled");
    private final BooleanProperty autostart = new SimpleBooleanProperty(this, "autostart");
    private final ObjectProperty<ManagerOption> manager = new SimpleObjectProperty<>(this, "manager");
    private final StringProperty livenessPeriod = new SimpleStringProperty(this, "livenessPeriod", "");
    private final ReadOnlyStringWrapper livenessError = new ReadOnlyStringWrapper(this, "livenessError");
    private final ReadOnlyBooleanWrapper changed = new ReadOnlyBooleanWrapper(this, "changed");

    /**
     * @param wantedUp whether the engine has this service wanted up; null when the engine could not be asked
     */
    public ServiceRow(ServiceSpec spec, Boolean wantedUp) {
        this(spec, wantedUp, ALWAYS_SELECTABLE);
    }

    /**
     * @param wantedUp   whether the engine has this service wanted up; null when the engine could not be asked
     * @param selectable the managers that can be picked here (see {@link ManagerChoice}); the one the file
     *                   names can always be kept
     */
    public ServiceRow(ServiceSpec spec, Boolean wantedUp, Set<ManagerKind> selectable) {
        this.saved = Objects.requireNonNull(spec, "spec");
        this.selectable = Set.copyOf(selectable);
        this.autostartKnown = wantedUp != null;
        this.savedAutostart = spec.enabled() && Boolean.TRUE.equals(wantedUp);
        enabled.set(spec.enabled());
        autostart.set(savedAutostart);
        manager.set(ManagerOption.of(spec.manager()));
        livenessPeriod.set(hasLiveness() ? Durations.format(spec.probes().liveness().period()) : "");
        enabled.addListener((obs, was, now) -> {
            if (!now) {
                autostart.set(false);
            }
            updateChanged();
        });
        autostart.addListener((obs, was, now) -> {
            if (now) {
                enabled.set(true);
            }
            updateChanged();
        });
        manager.addListener((obs, was, now) -> {
            // Keyboard selection can land on an option shown disabled: keep what the file has, refuse others.
            if (now == null || (!this.selectable.contains(now.kind()) && now.kind() != saved.manager())) {
                manager.set(was);
                return;
            }
            updateChanged();
        });
        livenessPeriod.addListener((obs, was, now) -> {
            livenessError.set(validatePeriod(now));
            updateChanged();
        });
    }

    public String name() {
        return saved.name();
    }

    public String displayName() {
        return saved.displayName() == null || saved.displayName().isBlank() ? saved.name() : saved.displayName();
    }

    public ServiceKind kind() {
        return saved.kind();
    }

    public boolean hasLiveness() {
        return saved.probes() != null && saved.probes().liveness() != null;
    }

    public boolean managerApplies() {
        return ManagerOption.appliesTo(saved.kind());
    }

    public boolean autostartKnown() {
        return autostartKnown;
    }

    /** Null when the text is a valid liveness period; else what is wrong with it. */
    static String validatePeriod(String text) {
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        if (d.isZero()) {
            return "must be greater than 0, got \"" + text.trim() + "\"";
        }
        return null;
    }

    /**
     * The service as edited, for saving. Fields the tab does not edit are passed through unchanged, so the
     * catalog writer keeps their text.
     *
     * @throws IllegalStateException when the liveness period is not valid
     */
    public ServiceSpec edited() {
        if (livenessError.get() != null) {
            throw new IllegalStateException(name() + ": liveness period " + livenessError.get());
        }
        Probes probes = saved.probes();
        if (hasLiveness()) {
            ProbeSpec l = probes.liveness();
            Duration period = Durations.parse(livenessPeriod.get());
            if (!period.equals(l.period())) {
                probes = new Probes(probes.startup(), new ProbeSpec(l.check(), l.initialDelay(), period, l.timeout(),
                        l.failureThreshold(), l.successThreshold()), probes.readiness());
            }
        }
        ServiceSpec s = saved;
        return new ServiceSpec(s.name(), s.displayName(), s.kind(), enabled.get(), s.command(), s.workingDir(),
                s.env(), manager.get().kind(), s.dependsOn(), s.port(), probes, s.restart(), s.stopTimeout(), s.log(),
                s.children(), s.job(), s.url());
    }

    /** Whether the autostart wish differs from the engine's, i.e. saving must start or stop the service. */
    public boolean autostartChanged() {
        return autostartKnown && autostart.get() != savedAutostart;
    }

    /** The catalog now holds {@code spec}. */
    void markSaved(ServiceSpec spec) {
        saved = spec;
        updateChanged();
    }

    /** The engine now has the autostart wish shown. */
    void markAutostartApplied() {
        savedAutostart = autostart.get();
        updateChanged();
    }

    private void updateChanged() {
        boolean livenessChanged = hasLiveness() && (livenessError.get() != null
                || !Durations.parse(livenessPeriod.get()).equals(saved.probes().liveness().period()));
        boolean specChanged = enabled.get() != saved.enabled() || manager.get().kind() != saved.manager()
                || livenessChanged;
        changed.set(specChanged || autostartChanged());
    }

    public BooleanProperty enabledProperty() {
        return enabled;
    }

    public BooleanProperty autostartProperty() {
        return autostart;
    }

    public ObjectProperty<ManagerOption> managerProperty() {
        return manager;
    }

    public StringProperty livenessPeriodProperty() {
        return livenessPeriod;
    }

    public ReadOnlyStringProperty livenessErrorProperty() {
        return livenessError.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty changedProperty() {
        return changed.getReadOnlyProperty();
    }
}
