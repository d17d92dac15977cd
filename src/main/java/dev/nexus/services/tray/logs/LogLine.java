package dev.nexus.services.tray.logs;

/**
 * One line in the viewer. {@code seq} counts lines since the viewer opened the file; it orders lines and
 * keeps a search match pointing at the same line while older lines are dropped.
 */
public record LogLine(long seq, String text) {
}
