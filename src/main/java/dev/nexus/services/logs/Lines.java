package dev.nexus.services.logs;

import java.nio.charset.StandardCharsets;

/** Byte-level helpers shared by the readers: decoding a line and cutting over-long lines between characters. */
final class Lines {
    /** Lines longer than this are handed out in pieces, so no reader ever holds or reads more per line. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    private Lines() {
    }

    /** Decodes one line without its terminator, dropping the '\r' of a CRLF; bad UTF-8 becomes U+FFFD. */
    static String decode(byte[] bytes, int offset, int length) {
        if (length > 0 && bytes[offset + length - 1] == '\r') {
            length--;
        }
        // new String(...) replaces malformed input instead of throwing: a log must stay readable.
        return new String(bytes, offset, length, StandardCharsets.UTF_8);
    }

    /** Whether {@code b} continues a UTF-8 sequence, i.e. a line must not be cut just before it. */
    static boolean isContinuationByte(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
