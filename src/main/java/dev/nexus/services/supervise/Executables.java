package dev.nexus.services.supervise;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Finds the program a command names, the way a child started with that environment would. */
public final class Executables {
    private static final ExecutableResolver RESOLVER = new ExecutableResolver(OperatingSystem.CURRENT);

    private Executables() {
    }

    /**
     * The program's absolute path; otherwise a LaunchException whose reason is BINARY_MISSING (or
     * CONFIG for a malformed name) and whose message says where it looked.
     */
    public static Path require(String program, Map<String, String> env, Path workingDir) throws LaunchException {
        return RESOLVER.resolve(program, env, workingDir);
    }

    public static Optional<Path> find(String program, Map<String, String> env) {
        try {
            return Optional.of(require(program, env, Path.of("").toAbsolutePath()));
        } catch (LaunchException e) {
            return Optional.empty();
        }
    }
}
