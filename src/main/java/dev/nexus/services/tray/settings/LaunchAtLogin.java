package dev.nexus.services.tray.settings;

import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.manager.GeneratedFile;
import dev.nexus.services.manager.InstallPlan;
import dev.nexus.services.manager.LoginItem;
import dev.nexus.services.manager.LoginLauncher;
import dev.nexus.services.manager.ManagerException;
import dev.nexus.services.manager.OsManagers;
import dev.nexus.services.manager.SelfCommand;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Settings › General › "Launch at login": the tray's login item, the way the OS expects it (an XDG autostart
 * entry on Linux, a LaunchAgent on macOS, a logon task on Windows), through the same {@link LoginLauncher}
 * as {@code nexus-services install --tray}.
 */
public final class LaunchAtLogin {
    /** Whether the setting can be changed here and, when not, the sentence that says why (for the tooltip). */
    public record Availability(boolean available, String reason) {
        static Availability yes() {
            return new Availability(true, "");
        }

        static Availability no(String reason) {
            return new Availability(false, reason);
        }
    }

    private final HostEnvironment host;
    private final Optional<LoginLauncher> launcher;
    private final Availability availability;

    public LaunchAtLogin(HostEnvironment host) {
        this.host = Objects.requireNonNull(host, "host");
        HostOs os = HostOs.detect(host.osName());
        if (host.launcher().isEmpty()) {
            launcher = Optional.empty();
            availability = Availability.no("Launch at login needs the nexus-services launcher: start the tray with "
                    + "bin/nexus-services (or the installed nexus-services command) to turn it on.");
            return;
        }
        NexusPaths paths = NexusPaths.fromEnvironment(host.env());
        launcher = OsManagers.loginLauncher(os, OsManagers.context(paths, host.env(), host.userHome(),
                new SelfCommand(host.launcher().get()), os), host.env());
        availability = launcher.isPresent() ? Availability.yes()
                : Availability.no("Launch at login is not available on " + host.osName() + ".");
    }

    public Availability availability() {
        return availability;
    }

    /** Whether the login item is there now, whoever put it there (the user may have removed it elsewhere). */
    public boolean isEnabled() {
        return launcher.map(l -> l.isEnabled(LoginItem.TRAY)).orElse(false);
    }

    /**
     * Creates or removes the login item (all-or-nothing).
     *
     * @throws IllegalStateException when {@link #availability()} says no
     * @throws IOException           naming the file or the OS tool that failed
     */
    public void apply(boolean enabled) throws IOException {
        LoginLauncher login = launcher.orElseThrow(() -> new IllegalStateException(availability.reason()));
        try {
            if (enabled) {
                login.enable(LoginItem.TRAY);
            } else {
                login.disable(LoginItem.TRAY);
            }
        } catch (ManagerException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    /** The file the login item lives in, as people write it ({@code ~/.config/autostart/...}), or empty. */
    public Optional<String> itemFileForDisplay() {
        return launcher.flatMap(l -> itemFile(l.enablePlan(LoginItem.TRAY))).map(file -> {
            Path home = host.userHome().toAbsolutePath().normalize();
            return file.startsWith(home) ? "~/" + home.relativize(file) : file.toString();
        });
    }

    private static Optional<Path> itemFile(InstallPlan plan) {
        return plan.write().stream().map(GeneratedFile::path).findFirst();
    }
}
