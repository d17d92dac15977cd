package dev.nexus.services.manager;

import dev.nexus.services.support.AtomicFiles;
import dev.nexus.services.support.IoMessages;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out an {@link InstallPlan} all-or-nothing: files are written atomically, and if a file or a tool
 * call fails, every file is put back as it was and the given rollback calls run (best effort) before the
 * error is thrown. So an install never leaves half a service behind.
 */
public final class PlanApplier {
    private static final Logger LOG = LoggerFactory.getLogger(PlanApplier.class);
    public static final Duration TOOL_TIMEOUT = Duration.ofSeconds(30);

    private final CommandRunner runner;

    public PlanApplier(CommandRunner runner) {
        this.runner = runner;
    }

    /**
     * @param rollback tool calls that re-register the restored files (e.g. {@code systemctl --user
     *                 daemon-reload}); run only after a failure, failures ignored
     */
    public InstallPlan apply(InstallPlan plan, List<ToolCall> rollback) throws ManagerException {
        Map<Path, Optional<byte[]>> before = new LinkedHashMap<>();
        try {
            for (GeneratedFile file : plan.write()) {
                remember(before, file.path());
                Files.createDirectories(file.path().toAbsolutePath().getParent());
                AtomicFiles.write(file.path(), file.bytes());
                if (file.executable()) {
                    Files.setPosixFilePermissions(file.path(), PosixFilePermissions.fromString("rwxr-xr-x"));
                }
            }
            for (Path path : plan.remove()) {
                remember(before, path);
                Files.deleteIfExists(path);
            }
        } catch (IOException | UnsupportedOperationException e) {
            restore(before, rollback);
            String why = e instanceof IOException io ? IoMessages.describe(io) : e.getMessage();
            throw new ManagerException("could not write the files of " + plan.subject() + " (" + why
                    + "); nothing was changed", e);
        }
        for (ToolCall call : plan.commands()) {
            CommandResult result;
            try {
                result = runner.run(call.argv(), TOOL_TIMEOUT);
            } catch (IOException e) {
                restore(before, rollback);
                throw new ManagerException(e.getMessage() + "; nothing of " + plan.subject() + " was changed", e);
            }
            if (!result.ok() && !call.mayFail()) {
                restore(before, rollback);
                throw ManagerException.failed(result);
            }
        }
        return plan;
    }

    private static void remember(Map<Path, Optional<byte[]>> before, Path path) throws IOException {
        if (!before.containsKey(path)) {
            before.put(path, Files.exists(path) ? Optional.of(Files.readAllBytes(path)) : Optional.empty());
        }
    }

    private void restore(Map<Path, Optional<byte[]>> before, List<ToolCall> rollback) {
        before.forEach((path, content) -> {
            try {
                if (content.isPresent()) {
                    AtomicFiles.write(path, content.get());
                } else {
                    Files.deleteIfExists(path);
                }
            } catch (IOException e) {
                LOG.warn("could not restore {} after a failed install: {}", path, e.getMessage());
            }
        });
        for (ToolCall call : rollback) {
            try {
                runner.run(call.argv(), TOOL_TIMEOUT);
            } catch (IOException e) {
                LOG.warn("rollback step `{}` failed: {}", String.join(" ", call.argv()), e.getMessage());
            }
        }
    }
}
