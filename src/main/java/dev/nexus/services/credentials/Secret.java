package dev.nexus.services.credentials;

import java.util.Arrays;

/**
 * A secret value. It never prints itself: {@link #toString()} is a fixed mask, so a secret that ends
 * up in a log line, an exception or a debugger's variable view shows nothing. {@link #reveal()} is
 * the one deliberate way to the text.
 */
public final class Secret {
    private final char[] value;

    private Secret(char[] value) {
        this.value = value;
    }

    public static Secret of(String value) {
        if (value == null || value.isEmpty()) {
            throw new IllegalArgumentException("a secret cannot be empty");
        }
        return new Secret(value.toCharArray());
    }

    public static Secret of(char[] value) {
        if (value == null || value.length == 0) {
            throw new IllegalArgumentException("a secret cannot be empty");
        }
        return new Secret(value.clone());
    }

    public String reveal() {
        return new String(value);
    }

    public char[] revealChars() {
        return value.clone();
    }

    public int length() {
        return value.length;
    }

    /** "••••••••" plus at most the last 4 characters when asked; never the whole value. */
    public String masked(boolean showTail) {
        String dots = "••••••••";
        return showTail && value.length >= 12 ? dots + new String(value, value.length - 4, 4) : dots;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && Arrays.equals(value, s.value);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(value);
    }

    @Override
    public String toString() {
        return "[secret]";
    }
}
