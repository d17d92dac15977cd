package dev.nexus.services.supervise;

import dev.nexus.services.catalog.LogSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything needed to start one daemon as a child process.
 *
 * @param env    the complete environment of the child (not merged with the engine's)
 * @param redact secret values that must never reach the log files
 */
public record LaunchRequest(String service, List<String> command, Path workingDir, Map<String, String> env,
                            LogSpec log, Set<String> redact) {
    public LaunchRequest {
        command = List.copyOf(command);
        env = Map.copyOf(env);
        redact = Set.copyOf(redact);
    }

    /** Names only: the environment and the redact set hold secrets, and a record prints everything. */
    @Override
    public String toString() {
        return "LaunchRequest[service=" + service + ", command=" + command + ", workingDir=" + workingDir
                + ", env=" + env.size() + " variables, redact=" + redact.size() + " secrets]";
    }
}
