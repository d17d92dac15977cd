/**
 * Launch at login on Linux: XDG autostart entries for the tray (and for the engine where no systemd user
 * manager answers), the engine's systemd user unit otherwise.
 */
package dev.nexus.services.manager.linux;
