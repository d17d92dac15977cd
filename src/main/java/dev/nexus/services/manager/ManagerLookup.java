package dev.nexus.services.manager;

import dev.nexus.services.catalog.ManagerKind;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which service managers this system has and which one a daemon runs under. The engine asks it when it loads
 * or reloads the catalog; availability may take an OS tool to find out (is a systemd user manager
 * answering?), so the engine calls it off its loop and keeps the answers until the next reload.
 */
public interface ManagerLookup {
    /** No OS managers: every daemon runs under the embedded supervisor (AUTO included). */
    ManagerLookup EMBEDDED_ONLY = new ManagerLookup() {
        @Override
        public ManagerKind effectiveKind(ManagerKind requested) {
            return ManagerKind.EMBEDDED;
        }

        @Override
        public Optional<ServiceManager> manager(ManagerKind kind) {
            return Optional.empty();
        }

        @Override
        public String toString() {
            return "embedded only";
        }
    };

    /**
     * The manager a daemon that asks for {@code requested} runs under here: AUTO becomes the preferred usable
     * OS manager, else EMBEDDED; a kind that is not usable here becomes EMBEDDED. Never AUTO. A kind other
     * than EMBEDDED is returned only when {@link #manager} has it.
     */
    ManagerKind effectiveKind(ManagerKind requested);

    /**
     * The manager of {@code kind} on this system, usable or not (its {@link ServiceManager#unavailableReason}
     * says); empty for EMBEDDED, AUTO and kinds this system has no implementation of.
     */
    Optional<ServiceManager> manager(ManagerKind kind);

    /** Why {@code kind} cannot be used here, or empty when it can. AUTO and EMBEDDED always can. */
    default Optional<String> unavailableReason(ManagerKind kind) {
        if (kind == ManagerKind.AUTO || kind == ManagerKind.EMBEDDED) {
            return Optional.empty();
        }
        return manager(kind).map(ServiceManager::unavailableReason)
                .orElseGet(() -> Optional.of(kind.id() + " is not supported on this system"));
    }

    /**
     * A lookup over the given managers.
     *
     * @param managers  every OS manager this system has (usable or not), at most one per kind
     * @param autoOrder which kinds AUTO may pick, best first; it picks the first usable one, else EMBEDDED
     * @throws IllegalArgumentException when two managers share a kind, or one claims AUTO or EMBEDDED
     */
    static ManagerLookup of(List<ServiceManager> managers, List<ManagerKind> autoOrder) {
        Map<ManagerKind, ServiceManager> byKind = new LinkedHashMap<>();
        for (ServiceManager m : managers) {
            if (m.kind() == ManagerKind.AUTO || m.kind() == ManagerKind.EMBEDDED) {
                throw new IllegalArgumentException(m + " claims to be the " + m.kind().id()
                        + " manager; only OS managers can be looked up");
            }
            if (byKind.putIfAbsent(m.kind(), m) != null) {
                throw new IllegalArgumentException("two " + m.kind().id() + " managers: " + byKind.get(m.kind())
                        + " and " + m);
            }
        }
        List<ManagerKind> order = List.copyOf(autoOrder);
        return new ManagerLookup() {
            @Override
            public ManagerKind effectiveKind(ManagerKind requested) {
                if (requested == ManagerKind.EMBEDDED) {
                    return ManagerKind.EMBEDDED;
                }
                if (requested == ManagerKind.AUTO) {
                    for (ManagerKind k : order) {
                        if (usable(k)) {
                            return k;
                        }
                    }
                    return ManagerKind.EMBEDDED;
                }
                return usable(requested) ? requested : ManagerKind.EMBEDDED;
            }

            private boolean usable(ManagerKind kind) {
                ServiceManager m = byKind.get(kind);
                return m != null && m.unavailableReason().isEmpty();
            }

            @Override
            public Optional<ServiceManager> manager(ManagerKind kind) {
                return Optional.ofNullable(byKind.get(kind));
            }

            @Override
            public String toString() {
                List<String> kinds = new ArrayList<>();
                byKind.keySet().forEach(k -> kinds.add(k.id()));
                return "managers " + kinds + ", auto picks from " + order;
            }
        };
    }
}
