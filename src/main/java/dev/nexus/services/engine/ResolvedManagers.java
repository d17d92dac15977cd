package dev.nexus.services.engine;

import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.manager.ManagerLookup;
import dev.nexus.services.manager.ServiceManager;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The answers of a {@link ManagerLookup} at one moment: which manager each requested kind runs under, and
 * which managers are usable. Asking may run OS tools, so the engine resolves off its loop (at start and at
 * every reload) and its loop only reads these answers.
 */
final class ResolvedManagers {
    private static final Logger LOG = LoggerFactory.getLogger(ResolvedManagers.class);

    private final Map<ManagerKind, ManagerKind> effective;
    private final Map<ManagerKind, ServiceManager> managers;
    private final List<EngineSnapshot.ManagerInfo> infos;
    private final List<ServiceManager> usable;

    private ResolvedManagers(Map<ManagerKind, ManagerKind> effective, Map<ManagerKind, ServiceManager> managers,
                             List<EngineSnapshot.ManagerInfo> infos, List<ServiceManager> usable) {
        this.effective = effective;
        this.managers = managers;
        this.infos = List.copyOf(infos);
        this.usable = List.copyOf(usable);
    }

    /** Asks {@code lookup} about every kind; may block on OS tools. */
    static ResolvedManagers resolve(ManagerLookup lookup) {
        Map<ManagerKind, ManagerKind> effective = new EnumMap<>(ManagerKind.class);
        Map<ManagerKind, ServiceManager> managers = new EnumMap<>(ManagerKind.class);
        List<EngineSnapshot.ManagerInfo> infos = new ArrayList<>();
        List<ServiceManager> usable = new ArrayList<>();
        for (ManagerKind kind : ManagerKind.values()) {
            ManagerKind runsUnder = safeEffective(lookup, kind);
            if (runsUnder != ManagerKind.EMBEDDED) {
                Optional<ServiceManager> m = lookup.manager(runsUnder);
                if (m.isEmpty()) {
                    LOG.warn("The manager lookup ({}) chose {} for {} but has no {} manager; using embedded", lookup,
                            runsUnder.id(), kind.id(), runsUnder.id());
                    runsUnder = ManagerKind.EMBEDDED;
                } else {
                    managers.put(runsUnder, m.get());
                }
            }
            effective.put(kind, runsUnder);
            String reason = reason(lookup, kind);
            infos.add(new EngineSnapshot.ManagerInfo(kind.id(), reason == null, reason, runsUnder.id()));
            if (reason == null && kind != ManagerKind.AUTO && kind != ManagerKind.EMBEDDED) {
                lookup.manager(kind).ifPresent(usable::add);
            }
        }
        return new ResolvedManagers(effective, managers, infos, usable);
    }

    private static ManagerKind safeEffective(ManagerLookup lookup, ManagerKind kind) {
        try {
            ManagerKind k = lookup.effectiveKind(kind);
            return k == null || k == ManagerKind.AUTO ? ManagerKind.EMBEDDED : k;
        } catch (RuntimeException e) {
            LOG.warn("Could not tell which manager {} means here ({}); using embedded", kind.id(), e.toString());
            return ManagerKind.EMBEDDED;
        }
    }

    private static String reason(ManagerLookup lookup, ManagerKind kind) {
        try {
            return lookup.unavailableReason(kind).orElse(null);
        } catch (RuntimeException e) {
            return "could not tell whether " + kind.id() + " is usable: " + e.getMessage();
        }
    }

    /** What a daemon that asks for {@code requested} runs under. */
    ManagerKind effective(ManagerKind requested) {
        return effective.getOrDefault(requested, ManagerKind.EMBEDDED);
    }

    /** The manager of a kind {@link #effective} returned (not EMBEDDED). */
    ServiceManager manager(ManagerKind kind) {
        ServiceManager m = managers.get(kind);
        if (m == null) {
            throw new IllegalStateException("no " + kind.id() + " manager was resolved");
        }
        return m;
    }

    List<EngineSnapshot.ManagerInfo> infos() {
        return infos;
    }

    /** Every OS manager usable here, whether or not a daemon runs under it now. */
    List<ServiceManager> usable() {
        return usable;
    }
}
