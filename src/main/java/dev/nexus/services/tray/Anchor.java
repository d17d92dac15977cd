package dev.nexus.services.tray;

/** A point on the screen (the tray icon that was clicked), in screen coordinates. */
public record Anchor(double x, double y) {
}
