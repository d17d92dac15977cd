package dev.nexus.services.tray;

import java.util.Locale;
import java.util.Map;

/** Why there is no tray here and how to get one, for the dashboard's first line. Pure: tested without a desktop. */
public final class NoTrayReason {
    private NoTrayReason() {
    }

    /**
     * @param os  the os.name property
     * @param env the environment (XDG_CURRENT_DESKTOP, WAYLAND_DISPLAY, DISPLAY)
     */
    public static String explain(String os, Map<String, String> env) {
        String system = os.toLowerCase(Locale.ROOT);
        if (system.startsWith("mac") || system.startsWith("windows")) {
            return "The system tray is not available to Java here, so Nexus shows this window instead.";
        }
        String desktop = env.getOrDefault("XDG_CURRENT_DESKTOP", "").toLowerCase(Locale.ROOT);
        if (desktop.contains("gnome") || desktop.contains("ubuntu")) {
            return "No tray icon: GNOME shows tray icons only with the \"AppIndicator and KStatusNotifierItem "
                    + "Support\" extension (Debian/Ubuntu: gnome-shell-extension-appindicator). Enable it, log in "
                    + "again and restart Nexus (nexus-services tray).";
        }
        if (env.containsKey("WAYLAND_DISPLAY") && !env.containsKey("DISPLAY")) {
            return "No tray icon: this Wayland session offers no X11 system tray to Java. Run the tray under "
                    + "XWayland (DISPLAY set) with a desktop that has a tray, or keep this window open.";
        }
        if (desktop.isEmpty()) {
            return "No tray icon: this X server has no tray host. Start one such as trayer or stalonetray "
                    + "(Debian packages of the same names), then restart Nexus (nexus-services tray).";
        }
        return "No tray icon: the " + env.get("XDG_CURRENT_DESKTOP") + " desktop offers no system tray here. "
                + "Add a tray (notification area) to its panel, then restart Nexus (nexus-services tray).";
    }
}
