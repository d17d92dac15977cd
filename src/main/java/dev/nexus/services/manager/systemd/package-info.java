/**
 * systemd --user as a Nexus service manager: unit rendering ({@link dev.nexus.services.manager.systemd.SystemdUnits},
 * pure), install / uninstall / start / stop / state through {@code systemctl --user}
 * ({@link dev.nexus.services.manager.systemd.SystemdUserManager}), the journal for units that log there
 * ({@link dev.nexus.services.manager.systemd.JournalLogs}) and logind lingering for {@code doctor}
 * ({@link dev.nexus.services.manager.systemd.Linger}). Units hold no secret: they run the
 * {@code nexus-services exec} shim.
 */
package dev.nexus.services.manager.systemd;
