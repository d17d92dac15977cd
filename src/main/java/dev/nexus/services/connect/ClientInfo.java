package dev.nexus.services.connect;

import dev.nexus.services.support.Version;
import java.util.Locale;
import java.util.Objects;

/**
 * How this client introduces itself in {@code connect}. The gateway accepts the ids {@code cli},
 * {@code gateway-client}, {@code webchat}, {@code node-host} and {@code test}; platform uses Node's
 * names (linux, darwin, win32), as the gateway's own clients do.
 */
public record ClientInfo(String id, String version, String platform, String mode) {
    public ClientInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(version, "version");
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(mode, "mode");
    }

    /** Nexus Services as a command-line operator client: id and mode "cli", our version, this OS. */
    public static ClientInfo nexusServices() {
        return new ClientInfo("cli", Version.current(), platform(System.getProperty("os.name", "")), "cli");
    }

    static String platform(String osName) {
        String os = osName.toLowerCase(Locale.ROOT);
        if (os.startsWith("mac") || os.startsWith("darwin")) {
            return "darwin";
        }
        if (os.startsWith("windows")) {
            return "win32";
        }
        if (os.startsWith("linux")) {
            return "linux";
        }
        return os.isBlank() ? "unknown" : os.replace(' ', '-');
    }
}
