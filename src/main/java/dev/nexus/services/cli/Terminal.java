package dev.nexus.services.cli;

import dev.nexus.services.health.DisplayStatus;

/**
 * What the output device can take. Colour only on an interactive terminal, never when piped,
 * and never when NO_COLOR is set (no-color.org) or TERM is dumb.
 */
record Terminal(boolean interactive, boolean colour, int width) {
    private static final String RESET = "\u001b[0m";

    static Terminal detect() {
        boolean tty = System.console() != null;
        String term = System.getenv("TERM");
        boolean colour = tty && System.getenv("NO_COLOR") == null && term != null && !term.equals("dumb");
        // A pipe gets whole lines: scripts and grep must see the full detail.
        int width = tty ? 120 : Integer.MAX_VALUE;
        try {
            String cols = System.getenv("COLUMNS");
            if (tty && cols != null) {
                width = Math.max(60, Integer.parseInt(cols.trim()));
            }
        } catch (NumberFormatException ignored) {
            // keep the default
        }
        return new Terminal(tty, colour, width);
    }

    static Terminal plain() {
        return new Terminal(false, false, Integer.MAX_VALUE);
    }

    String paint(DisplayStatus status, String text) {
        if (!colour) {
            return text;
        }
        String code = switch (status) {
            case HEALTHY -> "\u001b[32m";
            case STARTING -> "\u001b[34m";
            case DEGRADED -> "\u001b[33m";
            case DOWN -> "\u001b[31m";
            case STOPPED, UNKNOWN -> "\u001b[90m";
        };
        return code + text + RESET;
    }

    String bold(String text) {
        return colour ? "\u001b[1m" + text + RESET : text;
    }

    String dim(String text) {
        return colour ? "\u001b[2m" + text + RESET : text;
    }
}
