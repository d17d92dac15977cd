/**
 * macOS: services as LaunchAgents in the user's GUI domain ({@link dev.nexus.services.manager.launchd.LaunchdManager}),
 * the engine and the tray at login ({@link dev.nexus.services.manager.launchd.MacLoginLauncher}), and the plists
 * they write ({@link dev.nexus.services.manager.launchd.LaunchdPlists}, pure). Everything that touches launchd
 * goes through {@code launchctl} and a {@link dev.nexus.services.manager.CommandRunner}; nothing native is loaded.
 */
package dev.nexus.services.manager.launchd;
