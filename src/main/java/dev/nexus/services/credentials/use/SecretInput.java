package dev.nexus.services.credentials.use;

import dev.nexus.services.credentials.Secret;
import dev.nexus.services.credentials.SecretText;
import java.io.ByteArrayOutputStream;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.CharacterCodingException;
import java.util.Arrays;

/**
 * Reads a secret value the only two ways a secret may arrive: typed at a prompt that does not echo, or
 * piped in on stdin. Never from an argument (it would sit in the shell's history and in {@code ps}).
 */
public final class SecretInput {
    /** More than any API key or PEM file; a larger input is almost surely the wrong file. */
    public static final int MAX_BYTES = 64 * 1024;

    private SecretInput() {
    }

    /**
     * @param console         the terminal to prompt on without echo, or null when there is none
     * @param stdin           read to the end when there is no console
     * @param stdinIsTerminal true when stdin is a terminal although there is no console (stdout
     *                        redirected): reading it would echo what is typed, so it is refused
     * @throws IllegalArgumentException for an empty value, too much input or input that is not UTF-8
     * @throws IOException              when stdin cannot be read
     */
    public static Secret read(Console console, InputStream stdin, boolean stdinIsTerminal, String prompt)
            throws IOException {
        if (console != null) {
            char[] typed = console.readPassword("%s", prompt);
            if (typed == null) {
                throw new IllegalArgumentException("no value entered (end of input)");
            }
            try {
                return fromChars(typed);
            } finally {
                Arrays.fill(typed, '\0');
            }
        }
        if (stdinIsTerminal) {
            throw new IllegalArgumentException("cannot prompt without echo here (output is redirected); "
                    + "run it in a terminal, or pipe the value in: ... | nexus-services credential set NAME");
        }
        byte[] bytes = readLimited(stdin);
        try {
            char[] chars = decode(bytes);
            try {
                return fromChars(stripOneNewline(chars));
            } finally {
                Arrays.fill(chars, '\0');
            }
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }

    private static Secret fromChars(char[] value) {
        if (value.length == 0 || new String(value).isBlank()) {
            throw new IllegalArgumentException("refusing an empty value; to delete a credential use "
                    + "nexus-services credential rm NAME");
        }
        return Secret.of(value);
    }

    /** `echo value |` adds one newline, Windows tools a CRLF: neither is part of the secret. */
    static char[] stripOneNewline(char[] chars) {
        int end = chars.length;
        if (end > 0 && chars[end - 1] == '\n') {
            end--;
            if (end > 0 && chars[end - 1] == '\r') {
                end--;
            }
        }
        return end == chars.length ? chars : Arrays.copyOf(chars, end);
    }

    private static byte[] readLimited(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buf = new byte[4096];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (out.size() + n > MAX_BYTES) {
                throw new IllegalArgumentException("the value on stdin is larger than " + MAX_BYTES / 1024
                        + " KiB; is that the right input?");
            }
            out.write(buf, 0, n);
        }
        Arrays.fill(buf, (byte) 0);
        return out.toByteArray();
    }

    private static char[] decode(byte[] bytes) {
        try {
            return SecretText.decodeUtf8(bytes);
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("the value on stdin is not UTF-8 text");
        }
    }
}
