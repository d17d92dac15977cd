package dev.nexus.services.tray;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class NoTrayReasonTest {
    @Test
    void gnomeNeedsTheAppIndicatorExtension() {
        String why = NoTrayReason.explain("Linux", Map.of("XDG_CURRENT_DESKTOP", "ubuntu:GNOME", "DISPLAY", ":0"));
        assertTrue(why.contains("AppIndicator and KStatusNotifierItem"), why);
        assertTrue(why.contains("gnome-shell-extension-appindicator"), why);
    }

    @Test
    void aBareXServerNeedsATrayHost() {
        String why = NoTrayReason.explain("Linux", Map.of("DISPLAY", ":99"));
        assertTrue(why.contains("trayer") && why.contains("stalonetray"), why);
    }

    @Test
    void otherDesktopsAreNamed() {
        String why = NoTrayReason.explain("Linux", Map.of("XDG_CURRENT_DESKTOP", "sway", "DISPLAY", ":0"));
        assertTrue(why.contains("sway"), why);
    }

    @Test
    void waylandWithoutXIsSaid() {
        String why = NoTrayReason.explain("Linux", Map.of("WAYLAND_DISPLAY", "wayland-0"));
        assertTrue(why.contains("Wayland"), why);
    }
}
