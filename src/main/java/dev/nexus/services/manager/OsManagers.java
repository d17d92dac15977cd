package dev.nexus.services.manager;

import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.manager.launchd.LaunchdManager;
import dev.nexus.services.manager.launchd.MacLoginLauncher;
import dev.nexus.services.manager.linux.LinuxLoginLauncher;
import dev.nexus.services.manager.systemd.SystemdUserManager;
import dev.nexus.services.manager.windows.WindowsLoginLauncher;
import dev.nexus.services.manager.windows.WindowsTaskManager;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The OS integrations of this system, picked at run time: every OS manager is listed (the others say why
 * they cannot be used), {@code auto} prefers launchd on macOS and a systemd user manager on Linux, and on
 * Windows stays with the embedded supervisor (the engine itself runs from a logon task there).
 */
public final class OsManagers {
    private OsManagers() {
    }

    /** Which kinds {@code auto} may pick on {@code os}, best first. */
    public static List<ManagerKind> autoOrder(HostOs os) {
        return switch (os) {
            case MACOS -> List.of(ManagerKind.LAUNCHD);
            case LINUX -> List.of(ManagerKind.SYSTEMD);
            case WINDOWS, OTHER -> List.of();
        };
    }

    /**
     * What the managers of this process need, or empty when it was not started by the {@code nexus-services}
     * launcher: a unit file must name a program that will still be there at the next login.
     */
    public static Optional<ManagerContext> context(NexusPaths paths, Map<String, String> env) {
        return SelfCommand.current(systemProperties()).map(self ->
                context(paths, env, Path.of(System.getProperty("user.home")), self, HostOs.CURRENT));
    }

    /** The context for a given home, launcher and system (settings pass what the tray was started with). */
    public static ManagerContext context(NexusPaths paths, Map<String, String> env, Path home, SelfCommand self, HostOs os) {
        return new ManagerContext(paths, home, self, ManagedEnvironment.of(paths, env, home, os),
                new ProcessCommandRunner(), uid(os));
    }

    /**
     * Set to {@code embedded} to keep every daemon under the engine's own supervisor whatever the catalog
     * asks (a machine where the OS manager must not be touched, a test of the product on a developer's desktop).
     */
    public static final String ONLY_VARIABLE = "NEXUS_MANAGERS";

    /**
     * The managers the engine may use; embedded only when this process has no launcher to name or
     * {@value #ONLY_VARIABLE} says so.
     */
    public static ManagerLookup lookup(NexusPaths paths, Map<String, String> env) {
        if ("embedded".equals(env.get(ONLY_VARIABLE))) {
            return ManagerLookup.EMBEDDED_ONLY;
        }
        return context(paths, env).map(ctx -> lookup(ctx, env)).orElse(ManagerLookup.EMBEDDED_ONLY);
    }

    public static ManagerLookup lookup(ManagerContext ctx, Map<String, String> env) {
        return ManagerLookup.of(List.of(new SystemdUserManager(ctx, env), new LaunchdManager(ctx),
                new WindowsTaskManager(ctx)), autoOrder(HostOs.CURRENT));
    }

    /** Starting the engine or the tray at login the way this OS does it; empty where there is no way. */
    public static Optional<LoginLauncher> loginLauncher(ManagerContext ctx, Map<String, String> env) {
        return loginLauncher(HostOs.CURRENT, ctx, env);
    }

    public static Optional<LoginLauncher> loginLauncher(HostOs os, ManagerContext ctx, Map<String, String> env) {
        return switch (os) {
            case LINUX -> Optional.of(new LinuxLoginLauncher(ctx, env));
            case MACOS -> Optional.of(new MacLoginLauncher(ctx));
            case WINDOWS -> Optional.of(new WindowsLoginLauncher(ctx));
            case OTHER -> Optional.empty();
        };
    }

    private static long uid(HostOs os) {
        if (os == HostOs.WINDOWS || HostOs.CURRENT == HostOs.WINDOWS) {
            return -1;
        }
        return new com.sun.security.auth.module.UnixSystem().getUid();
    }

    private static Map<String, String> systemProperties() {
        Map<String, String> props = new HashMap<>();
        System.getProperties().forEach((k, v) -> props.put(String.valueOf(k), String.valueOf(v)));
        return props;
    }
}
