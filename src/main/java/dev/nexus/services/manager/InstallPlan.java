package dev.nexus.services.manager;

import java.nio.file.Path;
import java.util.List;

/**
 * What an install or uninstall writes, removes and runs, in order. Plans are computed without touching
 * anything, so {@code install --dry-run}, the golden tests and the real install all show the same thing.
 *
 * @param subject  what the plan is for: a service name, or "engine" / "tray" for login items
 * @param write    files to write (atomically), in order
 * @param remove   files to delete
 * @param commands OS tool invocations to run after the files are in place, in order
 */
public record InstallPlan(String subject, List<GeneratedFile> write, List<Path> remove,
                          List<ToolCall> commands) {
    public InstallPlan {
        write = List.copyOf(write);
        remove = List.copyOf(remove);
        commands = List.copyOf(commands);
    }

    /** The plan when everything is already as it should be. */
    public static InstallPlan nothing(String subject) {
        return new InstallPlan(subject, List.of(), List.of(), List.of());
    }

    public boolean isEmpty() {
        return write.isEmpty() && remove.isEmpty() && commands.isEmpty();
    }
}
