package dev.nexus.services.manager.windows;

import dev.nexus.services.manager.GeneratedFile;
import dev.nexus.services.manager.InstallPlan;
import dev.nexus.services.manager.LoginItem;
import dev.nexus.services.manager.LoginLauncher;
import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.PlanApplier;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Launch at login on Windows: a per-user logon task for the engine ({@code \Nexus\Nexus Services Engine},
 * {@code nexus-services daemon}) and one for the tray ({@code \Nexus\Nexus Services Tray},
 * {@code nexus-services tray}).
 *
 * <p>The tray gets a logon task rather than a shortcut in the Startup folder: the same tested mechanism
 * as the engine, no binary .lnk file to write (that needs the Windows shell's COM interface), the same
 * NEXUS_ROOT check, and it is removed by name. The cost: it is not listed under Settings › Apps › Startup.
 *
 * <p>Enable registers the task ({@code schtasks /Create /XML /F}) and does not run it: the engine or tray
 * that runs now keeps running, and the task starts them at the next logon (as on macOS). Disable deletes
 * the task and does not {@code /End} it, for the same reason: turning "Launch at login" off in the tray
 * must not end the tray or the engine.
 */
public final class WindowsLoginLauncher implements LoginLauncher {
    private final ManagerContext ctx;
    private final String userId;
    private final Schtasks schtasks;

    public WindowsLoginLauncher(ManagerContext ctx) {
        this(ctx, WindowsTaskManager.currentUser(System.getenv(), System.getProperty("user.name", "")),
                WindowsTiming.DEFAULT);
    }

    public WindowsLoginLauncher(ManagerContext ctx, String userId, WindowsTiming timing) {
        this.ctx = ctx;
        this.userId = userId;
        this.schtasks = new Schtasks(ctx.runner(), timing);
    }

    public static String taskName(LoginItem item) {
        return switch (item) {
            case ENGINE -> WindowsTasks.ENGINE_TASK;
            case TRAY -> WindowsTasks.TRAY_TASK;
        };
    }

    public Path taskFile(LoginItem item) {
        return WindowsTaskManager.tasksDir(ctx).resolve("login-" + item.id() + ".xml");
    }

    @Override
    public InstallPlan enablePlan(LoginItem item) {
        String home = ctx.userHome().toString();
        String content = switch (item) {
            case ENGINE -> WindowsTasks.engine(userId, ctx.self().daemon(), home);
            case TRAY -> WindowsTasks.tray(userId, ctx.self().tray(), home);
        };
        Path xml = taskFile(item);
        return new InstallPlan(item.id(), List.of(GeneratedFile.of(xml, content, StandardCharsets.UTF_16LE)), List.of(),
                List.of(Schtasks.create(taskName(item), xml)));
    }

    @Override
    public InstallPlan disablePlan(LoginItem item) {
        return new InstallPlan(item.id(), List.of(), List.of(taskFile(item)), List.of(Schtasks.delete(taskName(item))));
    }

    @Override
    public InstallPlan enable(LoginItem item) throws ManagerException {
        UserEnvironment.requireSameRoot(ctx);
        boolean existed = schtasks.query(taskName(item), taskFile(item)).isPresent() && Files.exists(taskFile(item));
        // A failed /Create leaves the old task registered; with no old task there is nothing to undo.
        return new PlanApplier(ctx.runner()).apply(enablePlan(item),
                existed ? List.of(Schtasks.create(taskName(item), taskFile(item))) : List.of());
    }

    @Override
    public InstallPlan disable(LoginItem item) throws ManagerException {
        Path xml = taskFile(item);
        if (schtasks.query(taskName(item), xml).isEmpty()) {
            return Files.exists(xml)
                    ? new PlanApplier(ctx.runner()).apply(new InstallPlan(item.id(), List.of(), List.of(xml), List.of()),
                    List.of())
                    : InstallPlan.nothing(item.id());
        }
        return new PlanApplier(ctx.runner()).apply(disablePlan(item), List.of());
    }

    @Override
    public boolean isEnabled(LoginItem item) {
        try {
            return schtasks.query(taskName(item), taskFile(item)).isPresent();
        } catch (ManagerException e) {
            return false;
        }
    }
}
