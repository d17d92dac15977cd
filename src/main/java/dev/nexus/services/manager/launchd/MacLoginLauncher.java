package dev.nexus.services.manager.launchd;

import dev.nexus.services.manager.GeneratedFile;
import dev.nexus.services.manager.InstallPlan;
import dev.nexus.services.manager.LoginItem;
import dev.nexus.services.manager.LoginLauncher;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.PlanApplier;
import dev.nexus.services.support.PrivateDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Launch at login on macOS: a LaunchAgent in {@code ~/Library/LaunchAgents}, which launchd loads at every
 * login: {@code dev.nexus.services.engine} (the engine, kept alive) and {@code dev.nexus.services.tray}
 * (the tray, started once, Aqua sessions only).
 *
 * <p>Enable and disable change the next login, never what runs now. Enable writes the plist and runs
 * {@code launchctl enable} (an earlier {@code launchctl disable} would otherwise keep the agent from
 * loading at login); it does not bootstrap: loading the engine's agent while an engine started by the tray
 * holds the lock would only make launchd retry an engine that exits "already running", and loading the
 * tray's would start a second tray. Disable removes the plist and does not boot the job out: a bootout
 * SIGTERMs the job, so turning "Launch at login" off in the tray that launchd started at login would quit
 * that tray, and would stop the engine under it. launchd forgets a loaded job whose plist is gone at logout.
 */
public final class MacLoginLauncher implements LoginLauncher {
    private final ManagerContext ctx;
    private final Launchctl launchctl;

    public MacLoginLauncher(ManagerContext ctx) {
        this(ctx, LaunchdTiming.DEFAULT);
    }

    public MacLoginLauncher(ManagerContext ctx, LaunchdTiming timing) {
        this.ctx = ctx;
        this.launchctl = new Launchctl(ctx.runner(), ctx.uid(), timing);
    }

    public static String label(LoginItem item) {
        return switch (item) {
            case ENGINE -> LaunchdPlists.ENGINE_LABEL;
            case TRAY -> LaunchdPlists.TRAY_LABEL;
        };
    }

    public Path plistPath(LoginItem item) {
        return LaunchdPlists.plistPath(ctx.userHome(), label(item));
    }

    @Override
    public InstallPlan enablePlan(LoginItem item) {
        String content = switch (item) {
            case ENGINE -> LaunchdPlists.engine(ctx);
            case TRAY -> LaunchdPlists.tray(ctx);
        };
        return new InstallPlan(item.id(), List.of(GeneratedFile.of(plistPath(item), content)), List.of(),
                List.of(launchctl.enable(label(item))));
    }

    @Override
    public InstallPlan disablePlan(LoginItem item) {
        return new InstallPlan(item.id(), List.of(), List.of(plistPath(item)), List.of());
    }

    @Override
    public InstallPlan enable(LoginItem item) throws ManagerException {
        try {
            // launchd opens StandardOutPath itself at login and does not create its directory.
            PrivateDirs.create(ctx.paths().logs());
        } catch (IOException e) {
            throw new ManagerException("cannot create the log directory " + ctx.paths().logs() + ": " + e.getMessage(), e);
        }
        return new PlanApplier(ctx.runner()).apply(enablePlan(item), List.of());
    }

    @Override
    public InstallPlan disable(LoginItem item) throws ManagerException {
        if (!Files.exists(plistPath(item))) {
            return InstallPlan.nothing(item.id());
        }
        return new PlanApplier(ctx.runner()).apply(disablePlan(item), List.of());
    }

    @Override
    public boolean isEnabled(LoginItem item) {
        return Files.exists(plistPath(item));
    }
}
