package dev.nexus.services.supervise;

import dev.nexus.services.health.FailureReason;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Finds the program a command names before anything is started, so a missing or unusable binary is
 * reported as {@link FailureReason#BINARY_MISSING} (a restart cannot fix it) instead of as a crash.
 * The search uses the child's own PATH, not the engine's: that is the PATH the child would see.
 */
final class ExecutableResolver {
    private final OperatingSystem os;

    ExecutableResolver(OperatingSystem os) {
        this.os = os;
    }

    /**
     * The absolute path of {@code program}.
     *
     * @param workingDir the child's working directory, against which a relative path such as
     *                   {@code ./bin/gateway} is resolved (as the child's own exec would)
     */
    Path resolve(String program, Map<String, String> env, Path workingDir) throws LaunchException {
        if (program == null || program.isEmpty()) {
            throw new LaunchException(FailureReason.CONFIG, "the command is empty: it must name a program");
        }
        if (program.indexOf('\0') >= 0) {
            throw new LaunchException(FailureReason.CONFIG, "the program name contains a NUL character");
        }
        if (hasSeparator(program)) {
            Path candidate;
            try {
                candidate = workingDir.resolve(program).toAbsolutePath().normalize();
            } catch (InvalidPathException e) {
                throw new LaunchException(FailureReason.CONFIG, "the program \"" + program + "\" is not a valid path", e);
            }
            if (!Files.exists(candidate)) {
                throw new LaunchException(FailureReason.BINARY_MISSING, candidate + " does not exist");
            }
            requireExecutable(candidate);
            return candidate;
        }
        String path = pathVariable(env);
        if (path == null || path.isEmpty()) {
            throw new LaunchException(FailureReason.BINARY_MISSING,
                    program + " not found on PATH (PATH is not set in the service's environment)");
        }
        Path notExecutable = null;
        for (String dir : path.split(File.pathSeparator, -1)) {
            // An empty PATH entry means the working directory, as in a shell.
            Path base = dir.isEmpty() ? workingDir : pathOrNull(dir);
            if (base == null) {
                continue;
            }
            for (String name : candidateNames(program, env)) {
                Path candidate = base.resolve(name).toAbsolutePath().normalize();
                if (Files.isRegularFile(candidate)) {
                    if (Files.isExecutable(candidate)) {
                        return candidate;
                    }
                    if (notExecutable == null) {
                        notExecutable = candidate;
                    }
                }
            }
        }
        if (notExecutable != null) {
            throw new LaunchException(FailureReason.BINARY_MISSING, program + " found on PATH at " + notExecutable
                    + " but it is not executable (check its permissions)");
        }
        throw new LaunchException(FailureReason.BINARY_MISSING, program + " not found on PATH (" + path + ")");
    }

    private static void requireExecutable(Path candidate) throws LaunchException {
        if (Files.isDirectory(candidate)) {
            throw new LaunchException(FailureReason.BINARY_MISSING, candidate + " is a directory, not a program");
        }
        if (!Files.isExecutable(candidate)) {
            throw new LaunchException(FailureReason.BINARY_MISSING,
                    candidate + " is not executable (check its permissions)");
        }
    }

    private boolean hasSeparator(String program) {
        return program.indexOf('/') >= 0 || (os == OperatingSystem.WINDOWS && program.indexOf('\\') >= 0);
    }

    private String pathVariable(Map<String, String> env) {
        if (os != OperatingSystem.WINDOWS) {
            return env.get("PATH");
        }
        // Windows variable names are case-insensitive ("Path" is the usual spelling).
        return env.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("PATH"))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    private List<String> candidateNames(String program, Map<String, String> env) {
        if (os != OperatingSystem.WINDOWS || program.contains(".")) {
            return List.of(program);
        }
        String pathext = env.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase("PATHEXT"))
                .map(Map.Entry::getValue).findFirst().orElse(".COM;.EXE;.BAT;.CMD");
        List<String> names = new ArrayList<>();
        for (String ext : pathext.split(";")) {
            if (!ext.isBlank()) {
                names.add(program + ext.toLowerCase(Locale.ROOT));
            }
        }
        return names;
    }

    private static Path pathOrNull(String dir) {
        try {
            return Path.of(dir);
        } catch (InvalidPathException e) {
            return null;
        }
    }
}
