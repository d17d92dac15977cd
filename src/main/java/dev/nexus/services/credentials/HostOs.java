package dev.nexus.services.credentials;

import java.util.Locale;

/**
 * Which operating system this is, from {@code os.name} alone. Deliberately not JNA's {@code Platform}:
 * deciding which keychain applies must not load any JNA class, so that the stores of the other systems
 * stay pure Java here.
 */
public enum HostOs {
    LINUX, MACOS, WINDOWS, OTHER;

    public static final HostOs CURRENT = detect(System.getProperty("os.name", ""));

    public static HostOs detect(String osName) {
        String name = osName.toLowerCase(Locale.ROOT);
        if (name.startsWith("linux")) {
            return LINUX;
        }
        if (name.startsWith("mac") || name.startsWith("darwin")) {
            return MACOS;
        }
        if (name.startsWith("windows")) {
            return WINDOWS;
        }
        return OTHER;
    }
}
