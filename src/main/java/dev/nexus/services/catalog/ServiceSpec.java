package dev.nexus.services.catalog;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One service as the catalog describes it.
 *
 * @param command     program and arguments (daemon, job); empty for a connection
 * @param workingDir  null means the Nexus home directory
 * @param env         extra environment; values may later reference credentials
 * @param port        the main port the daemon listens on, or null; used to report a port already
 *                    in use before start and to wait for it to be free after stop
 * @param job         schedule of a job, null for other kinds
 * @param url         endpoint of a connection, null for other kinds (a connection without one is
 *                    not configured yet)
 */
public record ServiceSpec(String name, String displayName, ServiceKind kind, boolean enabled,
                          List<String> command, Path workingDir, Map<String, String> env,
                          ManagerKind manager, List<String> dependsOn, Integer port, Probes probes,
                          RestartSpec restart, Duration stopTimeout, LogSpec log, List<ChildSpec> children,
                          JobSpec job, URI url) {

    public static final Duration DEFAULT_STOP_TIMEOUT = Duration.ofSeconds(10);

    public ServiceSpec {
        command = List.copyOf(command);
        env = Collections.unmodifiableMap(new LinkedHashMap<>(env));
        dependsOn = List.copyOf(dependsOn);
        children = List.copyOf(children);
    }

    public ServiceSpec withEnabled(boolean value) {
        return new ServiceSpec(name, displayName, kind, value, command, workingDir, env, manager, dependsOn, port,
                probes, restart, stopTimeout, log, children, job, url);
    }

    public ServiceSpec withManager(ManagerKind value) {
        return new ServiceSpec(name, displayName, kind, enabled, command, workingDir, env, value, dependsOn, port,
                probes, restart, stopTimeout, log, children, job, url);
    }
}
