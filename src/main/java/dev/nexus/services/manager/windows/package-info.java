/**
 * Windows: per-user Task Scheduler tasks for services
 * ({@link dev.nexus.services.manager.windows.WindowsTaskManager}, {@code manager: windows-task}) and for the
 * engine and the tray at logon ({@link dev.nexus.services.manager.windows.WindowsLoginLauncher}); the task
 * definitions ({@link dev.nexus.services.manager.windows.WindowsTasks}) and command-line quoting
 * ({@link dev.nexus.services.manager.windows.WindowsCommandLine}) are pure. Everything that touches Windows goes
 * through {@code schtasks} and {@code reg}; nothing native is loaded.
 */
package dev.nexus.services.manager.windows;
