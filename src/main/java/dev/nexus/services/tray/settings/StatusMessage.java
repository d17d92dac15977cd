package dev.nexus.services.tray.settings;

import java.util.Objects;

/**
 * The line at the bottom of a settings page: what the last action did, in words. {@code kind} picks the
 * style (and the glyph, so the meaning never rests on colour alone).
 */
public record StatusMessage(Kind kind, String text) {
    public enum Kind {
        NONE(""), BUSY("…"), SUCCESS("✔"), WARNING("!"), ERROR("✖");

        private final String glyph;

        Kind(String glyph) {
            this.glyph = glyph;
        }

        public String glyph() {
            return glyph;
        }

        /** The CSS style class of the status area. */
        public String styleClass() {
            return "status-" + name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static final StatusMessage NONE = new StatusMessage(Kind.NONE, "");

    public StatusMessage {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(text, "text");
    }

    public static StatusMessage busy(String text) {
        return new StatusMessage(Kind.BUSY, text);
    }

    public static StatusMessage success(String text) {
        return new StatusMessage(Kind.SUCCESS, text);
    }

    public static StatusMessage warning(String text) {
        return new StatusMessage(Kind.WARNING, text);
    }

    public static StatusMessage error(String text) {
        return new StatusMessage(Kind.ERROR, text);
    }
}
