/**
 * The operating system's own service managers (systemd --user, launchd, Windows Task Scheduler) as an
 * alternative to the embedded supervisor, and starting Nexus at login. Each OS has its own subpackage;
 * {@link dev.nexus.services.manager.ServiceManagers} picks one at run time. Generators of unit files,
 * plists and task XML are pure (golden-file tested); everything that touches the OS goes through a
 * {@link dev.nexus.services.manager.CommandRunner}.
 */
package dev.nexus.services.manager;
