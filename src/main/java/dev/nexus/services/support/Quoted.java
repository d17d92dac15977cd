package dev.nexus.services.support;

/**
 * Text a user (or a file, or a peer) gave, made safe to put inside a message: control and invisible
 * formatting characters escaped, so a terminal printing the message never obeys them, and clipped, so one
 * bad value cannot turn a one-line error into megabytes of log.
 */
public final class Quoted {
    /** Enough to recognise a value; the rest is in the file it came from. */
    public static final int MAX_CHARS = 60;

    private Quoted() {
    }

    /** {@code "value"}, escaped and clipped to {@link #MAX_CHARS}. */
    public static String of(String text) {
        return "\"" + clean(text, MAX_CHARS) + "\"";
    }

    /** The text escaped and, when longer than {@code maxChars}, clipped with "...". */
    public static String clean(String text, int maxChars) {
        if (text == null) {
            return "null";
        }
        boolean clipped = text.length() > maxChars;
        String head = clipped ? text.substring(0, Math.max(0, maxChars - 3)) : text;
        StringBuilder out = new StringBuilder(head.length() + 8);
        for (int i = 0; i < head.length(); i++) {
            char c = head.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || Character.getType(c) == Character.FORMAT) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return clipped ? out.append("...").toString() : out.toString();
    }
}
