package dev.nexus.services.credentials;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A secret as the UTF-8 bytes keychains store, and back. Every intermediate buffer is wiped; the caller wipes
 * what it gets.
 */
public final class SecretText {
    private SecretText() {
    }

    public static byte[] utf8(Secret value) {
        char[] chars = value.revealChars();
        try {
            ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(chars));
            byte[] bytes = new byte[encoded.remaining()];
            encoded.get(bytes);
            if (encoded.hasArray()) {
                Arrays.fill(encoded.array(), (byte) 0);
            }
            return bytes;
        } finally {
            Arrays.fill(chars, '\0');
        }
    }

    /**
     * Strict decoding: bytes that are not UTF-8 text throw (another program wrote the item), rather than turning
     * into replacement characters that would then be used as the secret.
     */
    public static char[] decodeUtf8(byte[] bytes) throws CharacterCodingException {
        CharBuffer decoded = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes));
        char[] chars = new char[decoded.remaining()];
        decoded.get(chars);
        if (decoded.hasArray()) {
            Arrays.fill(decoded.array(), '\0');
        }
        return chars;
    }
}
