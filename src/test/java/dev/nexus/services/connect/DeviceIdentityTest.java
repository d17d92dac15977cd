package dev.nexus.services.connect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Ed25519 device identity: its id, its file (0600), its signatures. */
class DeviceIdentityTest {
    @TempDir
    Path tmp;

    @Test
    void theIdIsTheSha256OfTheRaw32BytePublicKey() throws Exception {
        DeviceIdentity id = DeviceIdentity.generate();
        byte[] raw = Base64.getUrlDecoder().decode(id.publicKeyBase64Url());
        assertEquals(32, raw.length);
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(raw)), id.id());
        assertEquals(64, id.id().length());
    }

    @Test
    void signaturesVerifyAgainstThePublicKeyOnlyForTheSignedText() {
        DeviceIdentity id = DeviceIdentity.generate();
        String sig = id.sign("v3|dev|cli|cli|operator|operator.read|1|tok|nonce|linux|");
        assertTrue(DeviceIdentity.verify(id.publicKeyBase64Url(), "v3|dev|cli|cli|operator|operator.read|1|tok|nonce|linux|", sig));
        assertFalse(DeviceIdentity.verify(id.publicKeyBase64Url(), "v3|dev|cli|cli|operator|operator.read|1|tok|other|linux|", sig));
        assertFalse(DeviceIdentity.verify(DeviceIdentity.generate().publicKeyBase64Url(), "x", id.sign("x")));
        assertFalse(DeviceIdentity.verify("not base64!", "x", sig));
    }

    @Test
    void theKeyIsMadeOnceKeptPrivateAndReadBack() throws Exception {
        Path file = tmp.resolve("run/gateway-device.json");
        DeviceIdentity first = DeviceIdentity.loadOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        DeviceIdentity again = DeviceIdentity.loadOrCreate(file);
        assertEquals(first.id(), again.id());
        assertTrue(DeviceIdentity.verify(first.publicKeyBase64Url(), "x", again.sign("x")), "the same private key");

        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        DeviceIdentity.loadOrCreate(file);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)), "tightened");
    }

    @Test
    void aDamagedFileIsReportedNotReplaced() throws Exception {
        Path file = tmp.resolve("gateway-device.json");
        Files.writeString(file, "{\"publicKey\": \"abc\"}");
        IOException e = assertThrows(IOException.class, () -> DeviceIdentity.loadOrCreate(file));
        assertEquals(file + " is not a device identity file: privateKeyPkcs8 and publicKey are required", e.getMessage());
        assertEquals("{\"publicKey\": \"abc\"}", Files.readString(file), "the paired key is never silently replaced");
    }
}
