package dev.nexus.services.credentials;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.support.NexusPaths;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

class EncryptedFileStoreTest {
    private static final CredentialName ANTHROPIC = CredentialName.parse("anthropic/default");
    private static final CredentialName GATEWAY = CredentialName.parse("gateway/token");

    @TempDir
    Path root;

    private EncryptedFileStore store;

    @BeforeEach
    void open() {
        store = EncryptedFileStore.at(new NexusPaths(root));
    }

    @Test
    void roundTripOverwriteAndDelete() throws Exception {
        store.write(ANTHROPIC, Secret.of("sk-ant-first"));
        store.write(GATEWAY, Secret.of("gateway-token-ü-🔑"));
        store.write(ANTHROPIC, Secret.of("sk-ant-second"));

        assertEquals(Optional.of(Secret.of("sk-ant-second")), store.read(ANTHROPIC));
        assertEquals("gateway-token-ü-🔑", store.read(GATEWAY).orElseThrow().reveal());
        assertEquals(Set.of(ANTHROPIC, GATEWAY), store.names());
        assertTrue(store.delete(ANTHROPIC));
        assertFalse(store.delete(ANTHROPIC));
        assertEquals(Optional.empty(), store.read(ANTHROPIC));
        assertEquals(Set.of(GATEWAY), store.names());
    }

    @Test
    void filesArePrivateAndHoldNoPlaintext() throws Exception {
        store.write(ANTHROPIC, Secret.of("sk-ant-plaintext-must-not-show"));

        Path file = root.resolve("state/credentials.enc");
        Path key = root.resolve("state/run/credentials.key");
        assertEquals(file, store.file());
        assertEquals(key, store.keyFile());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(key.getParent())));
        assertEquals(32, Files.size(key));
        String raw = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        assertFalse(raw.contains("sk-ant-plaintext"), "the value is encrypted");
        assertFalse(raw.contains("anthropic"), "so are the names");
        assertTrue(store.description().contains(EncryptedFileStore.PROTECTION), store.description());
    }

    @Test
    void everyWriteUsesAFreshNonce() throws Exception {
        store.write(ANTHROPIC, Secret.of("same-value"));
        byte[] first = Files.readAllBytes(store.file());
        store.write(ANTHROPIC, Secret.of("same-value"));
        byte[] second = Files.readAllBytes(store.file());

        int nonceStart = EncryptedFileStore.HEADER_BYTES - 12;
        assertFalse(Arrays.equals(Arrays.copyOfRange(first, nonceStart, nonceStart + 12),
                Arrays.copyOfRange(second, nonceStart, nonceStart + 12)));
    }

    @Test
    void readingAnEmptyStoreCreatesNothing() throws Exception {
        assertEquals(Optional.empty(), store.read(ANTHROPIC));
        assertFalse(store.delete(ANTHROPIC));
        assertFalse(Files.exists(store.file()));
        assertFalse(Files.exists(store.keyFile()), "no key is made before there is something to protect");
        assertEquals(Set.of(), store.names());
    }

    @Test
    void aWrongKeyIsToldApartAndNothingIsLost() throws Exception {
        store.write(ANTHROPIC, Secret.of("precious"));
        byte[] originalKey = Files.readAllBytes(store.keyFile());
        byte[] otherKey = new byte[32];
        new SecureRandom().nextBytes(otherKey);
        Files.write(store.keyFile(), otherKey);

        assertCorruptAndUntouched("not the key this file was written with", () -> store.read(ANTHROPIC));

        Files.write(store.keyFile(), originalKey);
        assertEquals("precious", store.read(ANTHROPIC).orElseThrow().reveal(), "the data survived the refused writes");
    }

    @Test
    void aTruncatedFileIsToldApartAndNothingIsLost() throws Exception {
        store.write(ANTHROPIC, Secret.of("precious"));
        byte[] whole = Files.readAllBytes(store.file());
        Files.write(store.file(), Arrays.copyOf(whole, whole.length - 5));

        assertCorruptAndUntouched("truncated: " + (whole.length - 5 - EncryptedFileStore.HEADER_BYTES) + " of "
                + (whole.length - EncryptedFileStore.HEADER_BYTES), () -> store.read(ANTHROPIC));

        Files.write(store.file(), Arrays.copyOf(whole, 10));
        assertCorruptAndUntouched("shorter than the " + EncryptedFileStore.HEADER_BYTES + "-byte header", () -> store.read(ANTHROPIC));
    }

    @Test
    void tamperedCiphertextOrHeaderIsToldApartAndNothingIsLost() throws Exception {
        store.write(ANTHROPIC, Secret.of("precious"));
        byte[] whole = Files.readAllBytes(store.file());

        byte[] tampered = whole.clone();
        tampered[tampered.length - 20] ^= 0x01;
        Files.write(store.file(), tampered);
        assertCorruptAndUntouched("was modified", () -> store.read(ANTHROPIC));

        byte[] nonceChanged = whole.clone();
        nonceChanged[EncryptedFileStore.HEADER_BYTES - 1] ^= 0x01;
        Files.write(store.file(), nonceChanged);
        assertCorruptAndUntouched("was modified", () -> store.read(ANTHROPIC));

        byte[] notOurs = whole.clone();
        notOurs[0] = 'X';
        Files.write(store.file(), notOurs);
        assertCorruptAndUntouched("does not start with the header", () -> store.read(ANTHROPIC));

        Files.write(store.file(), whole);
        assertEquals("precious", store.read(ANTHROPIC).orElseThrow().reveal());
    }

    @Test
    void aMissingKeyIsNeverReplacedByANewOne() throws Exception {
        store.write(ANTHROPIC, Secret.of("precious"));
        Files.delete(store.keyFile());

        assertCorruptAndUntouched("key file " + store.keyFile() + " is missing", () -> store.read(ANTHROPIC));
        assertFalse(Files.exists(store.keyFile()), "a new key would make the old data unreadable for good");
    }

    @Test
    void aKeyFileOfTheWrongSizeIsReported() throws Exception {
        store.write(ANTHROPIC, Secret.of("precious"));
        Files.write(store.keyFile(), new byte[16]);

        assertCorruptAndUntouched("has 16 bytes instead of 32", () -> store.read(ANTHROPIC));
    }

    /** Reading fails with CORRUPT and the message; writes and deletes are refused and leave the file byte for byte. */
    private void assertCorruptAndUntouched(String expectedInMessage, Executable read) throws Exception {
        byte[] before = Files.readAllBytes(store.file());

        CredentialException onRead = assertThrows(CredentialException.class, read);
        assertEquals(CredentialException.Reason.CORRUPT, onRead.reason());
        assertTrue(onRead.getMessage().contains(expectedInMessage), onRead.getMessage());
        assertTrue(onRead.getMessage().contains(store.file().toString()), onRead.getMessage());
        assertFalse(onRead.getMessage().contains("precious"));

        CredentialException onWrite = assertThrows(CredentialException.class, () -> store.write(GATEWAY, Secret.of("new-value")));
        assertEquals(CredentialException.Reason.CORRUPT, onWrite.reason());
        assertTrue(onWrite.getMessage().contains("writes are refused"), onWrite.getMessage());
        CredentialException onDelete = assertThrows(CredentialException.class, () -> store.delete(ANTHROPIC));
        assertEquals(CredentialException.Reason.CORRUPT, onDelete.reason());

        assertArrayEquals(before, Files.readAllBytes(store.file()), "a damaged store is never overwritten");
    }
}
