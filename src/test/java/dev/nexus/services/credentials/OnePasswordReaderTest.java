package dev.nexus.services.credentials;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link OnePasswordReader} against a test double of the 1Password CLI: a shell script named {@code op}
 * in a directory named {@code op-test-double}, put on the PATH the reader is given. Each test writes
 * the behaviour it needs; the double records its arguments so the tests can check exactly what op got.
 */
class OnePasswordReaderTest {
    private static final String REFERENCE = "op://Private/Anthropic/credential";

    @TempDir
    Path dir;

    private Path doubleDir;
    private Path argsFile;

    @BeforeEach
    void setUp() throws Exception {
        Assumptions.assumeTrue(HostOs.CURRENT != HostOs.WINDOWS, "the test double is a POSIX shell script");
        doubleDir = Files.createDirectories(dir.resolve("op-test-double"));
        argsFile = dir.resolve("op-args");
    }

    @Test
    void readsTheFieldFromStdoutWithTheReferenceAsTheOnlyInput() throws Exception {
        // cat waits for stdin to end: it returns at once only because the reader closes stdin.
        writeDouble("cat > /dev/null\nprintf '%s' 'sk-ant-from-1password ünïcode'");

        Secret secret = reader(Duration.ofSeconds(10)).resolve(REFERENCE);

        assertEquals("sk-ant-from-1password ünïcode", secret.reveal());
        assertEquals("read\n--no-newline\n" + REFERENCE + "\n", Files.readString(argsFile));
    }

    @Test
    void notSignedInIsLockedWithTheFix() throws Exception {
        writeDouble("echo '[ERROR] 2025/01/01 10:00:00 You are not currently signed in. Please run `op signin --help` for instructions' >&2\nexit 1");

        CredentialException e = assertThrows(CredentialException.class, () -> reader(Duration.ofSeconds(10)).resolve(REFERENCE));
        assertEquals(CredentialException.Reason.LOCKED, e.reason());
        assertTrue(e.getMessage().startsWith("cannot read " + REFERENCE + ": 1Password is locked or not signed in"), e.getMessage());
        assertTrue(e.getMessage().endsWith("Unlock the 1Password app or run: op signin"), e.getMessage());
    }

    @Test
    void aDismissedApprovalIsDenied() throws Exception {
        writeDouble("echo '[ERROR] 2025/01/01 10:00:00 authorization prompt dismissed, please try again' >&2\nexit 1");

        CredentialException e = assertThrows(CredentialException.class, () -> reader(Duration.ofSeconds(10)).resolve(REFERENCE));
        assertEquals(CredentialException.Reason.DENIED, e.reason());
        assertTrue(e.getMessage().contains("Approve the request in the 1Password app"), e.getMessage());
    }

    @Test
    void aMissingItemSaysWhatToCheck() throws Exception {
        writeDouble("echo '[ERROR] 2025/01/01 10:00:00 \"Anthropic\" isn'\"'\"'t an item in the \"Private\" vault. Specify the item with its UUID, name, or domain.' >&2\nexit 1");

        CredentialException e = assertThrows(CredentialException.class, () -> reader(Duration.ofSeconds(10)).resolve(REFERENCE));
        assertEquals(CredentialException.Reason.FAILED, e.reason());
        assertTrue(e.getMessage().startsWith("1Password has nothing at " + REFERENCE), e.getMessage());
        assertTrue(e.getMessage().contains("isn't an item in the \"Private\" vault"), e.getMessage());
    }

    @Test
    void otherFailuresCarryTheExitStatusAndFirstLineOfStderr() throws Exception {
        writeDouble("echo 'something odd happened' >&2\necho 'second line' >&2\nexit 3");

        CredentialException e = assertThrows(CredentialException.class, () -> reader(Duration.ofSeconds(10)).resolve(REFERENCE));
        assertEquals("cannot read " + REFERENCE + ": op exited with status 3 (something odd happened)", e.getMessage());
    }

    @Test
    void anEmptyFieldIsAnError() throws Exception {
        writeDouble("exit 0");

        CredentialException e = assertThrows(CredentialException.class, () -> reader(Duration.ofSeconds(10)).resolve(REFERENCE));
        assertTrue(e.getMessage().contains("is empty"), e.getMessage());
    }

    @Test
    void anOpThatHangsIsKilledAfterTheTimeout() throws Exception {
        Path pidFile = dir.resolve("op-pid");
        writeDouble("echo $$ > '" + pidFile + "'\nexec sleep 60");
        Instant start = Instant.now();

        CredentialException e = assertThrows(CredentialException.class, () -> reader(Duration.ofSeconds(1)).resolve(REFERENCE));

        assertEquals(CredentialException.Reason.LOCKED, e.reason());
        assertTrue(e.getMessage().contains("op did not answer within 1 s"), e.getMessage());
        assertTrue(Duration.between(start, Instant.now()).compareTo(Duration.ofSeconds(10)) < 0);
        long pid = Long.parseLong(Files.readString(pidFile).strip());
        Instant deadline = Instant.now().plusSeconds(10);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            assertTrue(Instant.now().isBefore(deadline), "op (pid " + pid + ") was not killed");
            Thread.sleep(20);
        }
    }

    @Test
    void withoutOpOnPathItIsUnavailable() {
        OnePasswordReader reader = new OnePasswordReader(Map.of("PATH", dir.resolve("empty").toString()));

        assertFalse(reader.isAvailable());
        CredentialException e = assertThrows(CredentialException.class, () -> reader.resolve(REFERENCE));
        assertEquals(CredentialException.Reason.UNAVAILABLE, e.reason());
        assertTrue(e.getMessage().contains("the 1Password CLI (op) is not on PATH"), e.getMessage());
    }

    @Test
    void malformedReferencesAreRefusedBeforeRunningAnything() throws Exception {
        writeDouble("echo ran >> '" + dir.resolve("ran") + "'");
        OnePasswordReader reader = reader(Duration.ofSeconds(10));

        for (String bad : new String[] {"op://vault/item", "op://vault//field", "https://vault/item/field",
                "op://a/b/c/d/e", "op://vault/item/field\n--account=x"}) {
            CredentialException e = assertThrows(CredentialException.class, () -> reader.resolve(bad), bad);
            assertTrue(e.getMessage().contains("is not a valid 1Password reference"), e.getMessage());
        }
        assertFalse(Files.exists(dir.resolve("ran")), "op was never started");
        assertTrue(OnePasswordReader.isReference("op://vault/item/section/field?attribute=otp"));
        OnePasswordReader.validate("op://vault/item/section/field?attribute=otp");
        OnePasswordReader.validate("op://My Vault/My Item/password");
    }

    private OnePasswordReader reader(Duration timeout) {
        return new OnePasswordReader(Map.of("PATH", doubleDir + ":/usr/bin:/bin"), timeout);
    }

    private void writeDouble(String body) throws Exception {
        Path op = doubleDir.resolve("op");
        Files.writeString(op, "#!/bin/sh\n# Test double for the 1Password CLI (op), written by OnePasswordReaderTest.\n"
                + "printf '%s\\n' \"$@\" > '" + argsFile + "'\n" + body + "\n");
        Files.setPosixFilePermissions(op, PosixFilePermissions.fromString("rwx------"));
    }
}
