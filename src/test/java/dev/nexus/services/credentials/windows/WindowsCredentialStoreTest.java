package dev.nexus.services.credentials.windows;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialException.Reason;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Secret;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Windows store's mapping (targets, blobs and their limit, error codes) against a Cred* test double. */
class WindowsCredentialStoreTest {
    private static final CredentialName ANTHROPIC = CredentialName.parse("anthropic/default");

    private final CredentialManagerDouble manager = new CredentialManagerDouble();
    private final WindowsCredentialStore store = new WindowsCredentialStore(manager);

    @Test
    void targetNamesAreNamespacedAndParseBack() {
        assertEquals("nexus:anthropic/default", WindowsCredentialMapping.targetName(ANTHROPIC));
        assertEquals(Optional.of(ANTHROPIC), WindowsCredentialMapping.nameOf("nexus:anthropic/default"));
        assertEquals(Optional.empty(), WindowsCredentialMapping.nameOf("git:https://github.com"));
        assertEquals(Optional.empty(), WindowsCredentialMapping.nameOf("nexus:Not A Name"));
        assertEquals("nexus:*", WindowsCredentialMapping.ENUMERATE_FILTER);
    }

    @Test
    void writeStoresUtf8WithTheProfileAsUserName() throws Exception {
        store.write(ANTHROPIC, Secret.of("sk-ant-ünï-🔑"));

        CredentialManagerDouble.Stored stored = manager.credentials.get("nexus:anthropic/default");
        assertArrayEquals("sk-ant-ünï-🔑".getBytes(StandardCharsets.UTF_8), stored.blob());
        assertEquals("default", stored.userName());
        assertEquals("Nexus Services credential anthropic/default", stored.comment());
        assertEquals(Optional.of(Secret.of("sk-ant-ünï-🔑")), store.read(ANTHROPIC));
    }

    @Test
    void theBlobLimitIsCheckedBeforeAnyCall() throws Exception {
        store.write(ANTHROPIC, Secret.of("x".repeat(WindowsCredentialMapping.MAX_BLOB_BYTES)));
        manager.calls.clear();

        CredentialException tooLong = assertThrows(CredentialException.class,
                () -> store.write(ANTHROPIC, Secret.of("x".repeat(WindowsCredentialMapping.MAX_BLOB_BYTES + 1))));
        // 1281 two-byte characters: 2562 bytes as UTF-8 although fewer characters than the limit.
        CredentialException multiByte = assertThrows(CredentialException.class,
                () -> store.write(ANTHROPIC, Secret.of("é".repeat(1281))));

        assertEquals(List.of(), manager.calls, "refused before calling CredWriteW");
        assertEquals(Reason.FAILED, tooLong.reason());
        assertEquals("cannot store anthropic/default in Windows Credential Manager: the value is 2561 bytes (UTF-8) and "
                + "Credential Manager holds at most 2560 bytes per credential; keep a shorter value there, or a reference "
                + "to a file", tooLong.getMessage());
        assertTrue(multiByte.getMessage().contains("the value is 2562 bytes"), multiByte.getMessage());
    }

    @Test
    void absentCredentialsReadAsEmptyAndDeleteSaysWhetherThereWasOne() throws Exception {
        assertEquals(Optional.empty(), store.read(ANTHROPIC));
        assertFalse(store.delete(ANTHROPIC));
        store.write(ANTHROPIC, Secret.of("value"));
        assertTrue(store.delete(ANTHROPIC));
        assertEquals(Optional.empty(), store.read(ANTHROPIC));
    }

    @Test
    void namesListOnlyOurWellFormedTargets() throws Exception {
        store.write(CredentialName.parse("gateway/token"), Secret.of("a"));
        store.write(ANTHROPIC, Secret.of("b"));
        manager.credentials.put("nexus:Broken Name", new CredentialManagerDouble.Stored("u", "c", new byte[] {1}));
        manager.credentials.put("git:https://example.invalid", new CredentialManagerDouble.Stored("u", "c", new byte[] {1}));

        assertEquals(List.of(ANTHROPIC, CredentialName.parse("gateway/token")), store.names());
    }

    @Test
    void errorCodesMapToReasonsWithWhatToDo() {
        assertFailure(WindowsCredentialMapping.ERROR_NO_SUCH_LOGON_SESSION, Reason.UNAVAILABLE, "run nexus-services as the logged-in user");
        assertFailure(WindowsCredentialMapping.ERROR_ACCESS_DENIED, Reason.DENIED, "ERROR_ACCESS_DENIED");
        assertFailure(WindowsCredentialMapping.ERROR_NOT_SUPPORTED, Reason.UNAVAILABLE, "ERROR_NOT_SUPPORTED");
        assertFailure(WindowsCredentialMapping.ERROR_INVALID_PARAMETER, Reason.FAILED, "ERROR_INVALID_PARAMETER");
        assertFailure(1783, Reason.FAILED, "Windows error 1783 (look it up with: certutil -error 1783)");
    }

    @Test
    void writeDeleteAndListReportFailuresToo() {
        manager.failNextWith(WindowsCredentialMapping.ERROR_NO_SUCH_LOGON_SESSION);
        CredentialException onWrite = assertThrows(CredentialException.class, () -> store.write(ANTHROPIC, Secret.of("x")));
        assertEquals(Reason.UNAVAILABLE, onWrite.reason());
        assertTrue(onWrite.getMessage().startsWith("cannot store anthropic/default in Windows Credential Manager"), onWrite.getMessage());

        manager.failNextWith(WindowsCredentialMapping.ERROR_ACCESS_DENIED);
        assertEquals(Reason.DENIED, assertThrows(CredentialException.class, () -> store.delete(ANTHROPIC)).reason());

        manager.failNextWith(WindowsCredentialMapping.ERROR_ACCESS_DENIED);
        assertTrue(assertThrows(CredentialException.class, store::names).getMessage()
                .startsWith("cannot list the credentials in Windows Credential Manager"));
    }

    @Test
    void aBlobThatIsNotUtf8OrIsEmptyIsReported() throws Exception {
        manager.credentials.put("nexus:anthropic/default", new CredentialManagerDouble.Stored("default", "c", new byte[] {(byte) 0xc3}));
        CredentialException notText = assertThrows(CredentialException.class, () -> store.read(ANTHROPIC));
        assertEquals(Reason.CORRUPT, notText.reason());
        assertTrue(notText.getMessage().contains("not UTF-8 text"), notText.getMessage());

        manager.credentials.put("nexus:anthropic/default", new CredentialManagerDouble.Stored("default", "c", new byte[0]));
        assertTrue(assertThrows(CredentialException.class, () -> store.read(ANTHROPIC)).getMessage().contains("is empty"));
    }

    private void assertFailure(int code, Reason reason, String expected) {
        manager.failNextWith(code);
        CredentialException e = assertThrows(CredentialException.class, () -> store.read(ANTHROPIC));
        assertEquals(reason, e.reason());
        assertTrue(e.getMessage().startsWith("cannot read anthropic/default from Windows Credential Manager: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }
}
