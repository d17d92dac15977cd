package dev.nexus.services.manager.linux;

import dev.nexus.services.manager.GeneratedFile;
import dev.nexus.services.manager.InstallPlan;
import dev.nexus.services.manager.LoginItem;
import dev.nexus.services.manager.LoginLauncher;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.PlanApplier;
import dev.nexus.services.manager.ToolCall;
import dev.nexus.services.manager.systemd.SystemdUnits;
import dev.nexus.services.manager.systemd.SystemdUserManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Launch at login on Linux.
 *
 * <ul>
 *   <li>TRAY: an XDG autostart entry {@code nexus-services-tray.desktop} running {@code nexus-services tray};
 *       the desktop session starts it, and the tray starts the engine if none runs.</li>
 *   <li>ENGINE: where a systemd user manager answers, the user unit {@code nexus-services.service}, enabled
 *       (it starts with the user manager: at login, or at boot with lingering), and an autostart entry left
 *       over from before is removed; elsewhere an XDG autostart entry {@code nexus-services-engine.desktop}
 *       running {@code nexus-services daemon --detached}, as {@code up} does. Disabling it does not stop a
 *       running engine, and leaves the unit file in place, only no longer enabled.</li>
 * </ul>
 *
 * Both files live under {@code $XDG_CONFIG_HOME} (default {@code ~/.config}), taken from the given caller
 * environment. Enable and disable are idempotent (nothing to do gives an empty plan) and all-or-nothing.
 */
public final class LinuxLoginLauncher implements LoginLauncher {
    private final ManagerContext ctx;
    private final Path autostartDir;
    private final SystemdUserManager systemd;

    /** Reads XDG_CONFIG_HOME from this process's environment. */
    public LinuxLoginLauncher(ManagerContext ctx) {
        this(ctx, System.getenv());
    }

    /** @param callerEnv where XDG_CONFIG_HOME is read from; nothing else of it is used */
    public LinuxLoginLauncher(ManagerContext ctx, Map<String, String> callerEnv) {
        this.ctx = ctx;
        this.autostartDir = SystemdUserManager.configHome(ctx.userHome(), callerEnv).resolve("autostart");
        this.systemd = new SystemdUserManager(ctx, callerEnv);
    }

    public Path autostartFile(LoginItem item) {
        return autostartDir.resolve(item == LoginItem.TRAY ? DesktopEntries.TRAY_FILE : DesktopEntries.ENGINE_FILE);
    }

    public Path engineUnitFile() {
        return systemd.unitDirectory().resolve(SystemdUnits.ENGINE_UNIT);
    }

    /** Whether the engine goes through systemd here: a user manager answers. */
    public boolean engineUsesSystemd() {
        return systemd.unavailableReason().isEmpty();
    }

    /**
     * @throws IllegalStateException for ENGINE when a user manager answers but its version cannot be learned
     */
    @Override
    public InstallPlan enablePlan(LoginItem item) {
        if (item == LoginItem.TRAY) {
            return desktopPlan(item, DesktopEntries.tray(ctx));
        }
        if (!engineUsesSystemd()) {
            return desktopPlan(item, DesktopEntries.engine(ctx));
        }
        int version;
        try {
            version = systemd.systemdVersion();
        } catch (ManagerException e) {
            throw new IllegalStateException("cannot tell which systemd this is, so the engine's unit cannot be"
                    + " written: " + e.getMessage(), e);
        }
        InstallPlan unit = systemd.unitPlan(item.id(), SystemdUnits.ENGINE_UNIT, SystemdUnits.engineUnit(ctx, version));
        Path leftover = autostartFile(item);
        List<Path> remove = Files.exists(leftover, LinkOption.NOFOLLOW_LINKS) ? List.of(leftover) : List.of();
        return new InstallPlan(item.id(), unit.write(), remove, unit.commands());
    }

    @Override
    public InstallPlan disablePlan(LoginItem item) {
        Path entry = autostartFile(item);
        List<Path> remove = Files.exists(entry, LinkOption.NOFOLLOW_LINKS) ? List.of(entry) : List.of();
        List<ToolCall> commands = new ArrayList<>();
        if (item == LoginItem.ENGINE && Files.exists(engineUnitFile()) && systemd.isEnabled(SystemdUnits.ENGINE_UNIT)) {
            commands.add(ToolCall.of(SystemdUserManager.systemctl("disable", SystemdUnits.ENGINE_UNIT).toArray(String[]::new)));
        }
        return new InstallPlan(item.id(), List.of(), remove, commands);
    }

    @Override
    public InstallPlan enable(LoginItem item) throws ManagerException {
        return apply(enablePlan(item));
    }

    @Override
    public InstallPlan disable(LoginItem item) throws ManagerException {
        return apply(disablePlan(item));
    }

    private InstallPlan apply(InstallPlan plan) throws ManagerException {
        if (plan.commands().isEmpty()) {
            return plan.isEmpty() ? plan : new PlanApplier(ctx.runner()).apply(plan, List.of());
        }
        // Commands are systemctl's: after a failure systemd reloads the restored unit.
        return systemd.apply(plan);
    }

    @Override
    public boolean isEnabled(LoginItem item) {
        String entry = read(autostartFile(item));
        if (entry != null && DesktopEntries.startsAtLogin(entry)) {
            return true;
        }
        return item == LoginItem.ENGINE && Files.exists(engineUnitFile()) && systemd.isEnabled(SystemdUnits.ENGINE_UNIT);
    }

    private InstallPlan desktopPlan(LoginItem item, String content) {
        Path file = autostartFile(item);
        if (content.equals(read(file))) {
            return InstallPlan.nothing(item.id());
        }
        return new InstallPlan(item.id(), List.of(GeneratedFile.of(file, content)), List.of(), List.of());
    }

    /** The file's text, or null when it is absent or unreadable (then enabling rewrites it). */
    private static String read(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
