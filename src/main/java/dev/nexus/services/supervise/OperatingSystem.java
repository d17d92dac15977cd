package dev.nexus.services.supervise;

import java.util.Locale;

/** Which process model applies here; decided once from {@code os.name}. */
enum OperatingSystem {
    LINUX, MAC, WINDOWS, OTHER_POSIX;

    static final OperatingSystem CURRENT = detect(System.getProperty("os.name", ""));

    static OperatingSystem detect(String osName) {
        String name = osName.toLowerCase(Locale.ROOT);
        if (name.startsWith("windows")) {
            return WINDOWS;
        }
        if (name.startsWith("linux")) {
            return LINUX;
        }
        if (name.startsWith("mac") || name.startsWith("darwin")) {
            return MAC;
        }
        return OTHER_POSIX;
    }

    boolean isPosix() {
        return this != WINDOWS;
    }
}
