package dev.nexus.services.manager;

/**
 * Starts the engine or the tray when the user logs in, the way the OS expects: a LaunchAgent on macOS, a
 * systemd user unit (engine) or XDG autostart entry (tray) on Linux, a per-user logon task on Windows.
 * Enable and disable are idempotent and all-or-nothing.
 */
public interface LoginLauncher {
    InstallPlan enablePlan(LoginItem item);

    InstallPlan disablePlan(LoginItem item);

    InstallPlan enable(LoginItem item) throws ManagerException;

    InstallPlan disable(LoginItem item) throws ManagerException;

    boolean isEnabled(LoginItem item);
}
