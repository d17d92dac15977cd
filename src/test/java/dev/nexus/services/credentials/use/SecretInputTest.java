package dev.nexus.services.credentials.use;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class SecretInputTest {
    private static String read(String stdin) throws Exception {
        return SecretInput.read(null, new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)), false, "p").reveal();
    }

    @Test
    void onePipedNewlineIsNotPartOfTheValue() throws Exception {
        assertEquals("sk-1", read("sk-1\n"));
        assertEquals("sk-2", read("sk-2\r\n"));
        assertEquals("sk-3", read("sk-3"));
        assertEquals("line1\nline2", read("line1\nline2\n"), "a PEM-like value keeps its inner newlines");
        assertEquals("ünïcødé-ключ", read("ünïcødé-ключ\n"));
    }

    @Test
    void emptyValuesAreRefused() {
        for (String empty : new String[] {"", "\n", "  \n"}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> read(empty));
            assertTrue(e.getMessage().startsWith("refusing an empty value"), e.getMessage());
        }
    }

    @Test
    void aTerminalWithoutEchoControlIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SecretInput.read(null,
                new ByteArrayInputStream("typed".getBytes(StandardCharsets.UTF_8)), true, "p"));
        assertTrue(e.getMessage().contains("cannot prompt without echo"), e.getMessage());
    }

    @Test
    void oversizedOrBinaryInputIsRefused() {
        byte[] big = new byte[SecretInput.MAX_BYTES + 1];
        java.util.Arrays.fill(big, (byte) 'a');
        assertThrows(IllegalArgumentException.class, () -> SecretInput.read(null, new ByteArrayInputStream(big), false, "p"));
        assertThrows(IllegalArgumentException.class, () -> SecretInput.read(null,
                new ByteArrayInputStream(new byte[] {(byte) 0xff, (byte) 0xfe, 'x'}), false, "p"));
    }
}
