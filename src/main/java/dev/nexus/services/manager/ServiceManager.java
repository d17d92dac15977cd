package dev.nexus.services.manager;

import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ServiceSpec;
import java.util.Optional;

/**
 * An OS service manager that keeps one Nexus daemon running in place of the embedded supervisor. The engine
 * still probes health and decides about crash loops; the manager owns the process.
 *
 * <p>Install and uninstall are idempotent and all-or-nothing: a failure part way undoes what was done and
 * throws, naming the step. Nothing a manager writes or passes on a command line holds a secret.
 */
public interface ServiceManager {
    ManagerKind kind();

    /** Empty when usable here and now; otherwise why not ("no systemd user manager: ...", "not macOS"). */
    Optional<String> unavailableReason();

    /** What {@link #install} would do for this spec, computed without touching anything. */
    InstallPlan installPlan(ServiceSpec spec);

    /** What {@link #uninstall} would do for this service. */
    InstallPlan uninstallPlan(String service);

    /** Writes the definition and registers it (replacing an older one); returns what was done. */
    InstallPlan install(ServiceSpec spec) throws ManagerException;

    /** Stops and removes the service's definition; a service that is not installed is fine. */
    InstallPlan uninstall(String service) throws ManagerException;

    void start(String service) throws ManagerException;

    void stop(String service) throws ManagerException;

    void restart(String service) throws ManagerException;

    ManagedState state(String service) throws ManagerException;
}
