package dev.nexus.services.credentials.macos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialException.Reason;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.credentials.macos.KeychainQuery.Constant;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The macOS store's mapping (queries as data, OSStatus handling) against a SecItem test double. */
class MacKeychainStoreTest {
    private static final CredentialName ANTHROPIC = CredentialName.parse("anthropic/default");

    private final SecItemDouble keychain = new SecItemDouble();
    private final MacKeychainStore store = new MacKeychainStore(keychain);

    @Test
    void queriesAreExactlyWhatTheKeychainIsAsked() {
        Map<String, Object> item = new LinkedHashMap<>();
        item.put("kSecClass", new Constant("kSecClassGenericPassword"));
        item.put("kSecAttrService", "dev.nexus.anthropic");
        item.put("kSecAttrAccount", "default");
        assertEquals(item, KeychainQuery.item(ANTHROPIC).entries());

        Map<String, Object> read = new LinkedHashMap<>(item);
        read.put("kSecMatchLimit", new Constant("kSecMatchLimitOne"));
        read.put("kSecReturnData", true);
        read.put("kSecUseAuthenticationUI", new Constant("kSecUseAuthenticationUIFail"));
        assertEquals(read, KeychainQuery.read(ANTHROPIC).entries());

        KeychainQuery add = KeychainQuery.add(ANTHROPIC, "v".getBytes(StandardCharsets.UTF_8));
        assertEquals("Nexus: anthropic/default", add.get("kSecAttrLabel"));
        assertArrayEquals("v".getBytes(StandardCharsets.UTF_8), (byte[]) add.get("kSecValueData"));
        assertFalse(add.entries().containsKey("kSecReturnData"));

        assertEquals(new Constant("kSecUseAuthenticationUIFail"), KeychainQuery.delete(ANTHROPIC).get("kSecUseAuthenticationUI"));
        assertEquals(new Constant("kSecUseAuthenticationUIFail"), KeychainQuery.updateQuery(ANTHROPIC).get("kSecUseAuthenticationUI"));
        assertEquals(List.of("kSecValueData", "kSecAttrLabel"),
                List.copyOf(KeychainQuery.updateChanges(ANTHROPIC, new byte[] {1}).entries().keySet()));
    }

    @Test
    void aQueryNeverPrintsItsData() {
        String text = KeychainQuery.add(ANTHROPIC, "sk-ant-secret".getBytes(StandardCharsets.UTF_8)).toString();
        assertFalse(text.contains("sk-ant"), text);
        assertTrue(text.contains("kSecValueData=<data>"), text);
        assertTrue(text.contains("kSecClass=kSecClassGenericPassword"), text);
    }

    @Test
    void aNewCredentialIsAddedAfterTheUpdateFindsNothing() throws Exception {
        store.write(ANTHROPIC, Secret.of("sk-ant-ünï"));

        assertEquals(List.of("SecItemUpdate", "SecItemAdd"), functions());
        assertArrayEquals("sk-ant-ünï".getBytes(StandardCharsets.UTF_8), keychain.stored("dev.nexus.anthropic", "default"));
        assertEquals("Nexus: anthropic/default", keychain.label("dev.nexus.anthropic", "default"));
        assertEquals(Optional.of(Secret.of("sk-ant-ünï")), store.read(ANTHROPIC));
    }

    @Test
    void anExistingCredentialIsUpdatedInPlace() throws Exception {
        store.write(ANTHROPIC, Secret.of("first"));
        keychain.calls.clear();

        store.write(ANTHROPIC, Secret.of("second"));

        assertEquals(List.of("SecItemUpdate"), functions(), "update keeps the item and its access control");
        assertEquals("second", store.read(ANTHROPIC).orElseThrow().reveal());
    }

    @Test
    void anAddThatLosesARaceBecomesAnUpdate() throws Exception {
        keychain.answerNextWith(OsStatus.ERR_SEC_ITEM_NOT_FOUND);
        keychain.answerNextWith(OsStatus.ERR_SEC_DUPLICATE_ITEM);
        keychain.answerNextWith(OsStatus.SUCCESS);

        store.write(ANTHROPIC, Secret.of("raced"));

        assertEquals(List.of("SecItemUpdate", "SecItemAdd", "SecItemUpdate"), functions());
    }

    @Test
    void absentItemsReadAsEmptyAndDeleteSaysWhetherThereWasOne() throws Exception {
        assertEquals(Optional.empty(), store.read(ANTHROPIC));
        assertFalse(store.delete(ANTHROPIC));
        store.write(ANTHROPIC, Secret.of("value"));
        assertTrue(store.delete(ANTHROPIC));
        assertEquals(Optional.empty(), store.read(ANTHROPIC));
    }

    @Test
    void statusesMapToReasonsWithWhatToDo() {
        assertFailure(OsStatus.ERR_SEC_INTERACTION_NOT_ALLOWED, Reason.LOCKED, "Unlock it");
        assertFailure(OsStatus.ERR_SEC_AUTH_FAILED, Reason.DENIED, "errSecAuthFailed");
        assertFailure(OsStatus.ERR_SEC_USER_CANCELED, Reason.DENIED, "cancelled");
        assertFailure(OsStatus.ERR_SEC_NO_SUCH_KEYCHAIN, Reason.LOCKED, "no default keychain");
        assertFailure(OsStatus.ERR_SEC_NOT_AVAILABLE, Reason.UNAVAILABLE, "no keychain is available");
        assertFailure(OsStatus.ERR_SEC_MISSING_ENTITLEMENT, Reason.DENIED, "entitlement");
        assertFailure(OsStatus.ERR_SEC_DECODE, Reason.CORRUPT, "cannot be decoded");
        assertFailure(-12345, Reason.FAILED, "OSStatus -12345 (look it up with: security error -12345)");
    }

    @Test
    void writeAndDeleteReportFailuresToo() {
        keychain.answerNextWith(OsStatus.ERR_SEC_INTERACTION_NOT_ALLOWED);
        CredentialException onWrite = assertThrows(CredentialException.class, () -> store.write(ANTHROPIC, Secret.of("x")));
        assertEquals(Reason.LOCKED, onWrite.reason());
        assertTrue(onWrite.getMessage().startsWith("cannot store anthropic/default in the macOS keychain"), onWrite.getMessage());

        keychain.answerNextWith(OsStatus.ERR_SEC_AUTH_FAILED);
        CredentialException onDelete = assertThrows(CredentialException.class, () -> store.delete(ANTHROPIC));
        assertEquals(Reason.DENIED, onDelete.reason());
        assertTrue(onDelete.getMessage().startsWith("cannot remove anthropic/default from the macOS keychain"), onDelete.getMessage());
    }

    @Test
    void dataThatIsNotUtf8IsReportedNotGarbled() throws Exception {
        keychain.add(KeychainQuery.add(ANTHROPIC, new byte[] {(byte) 0xff, (byte) 0xfe}));
        CredentialException e = assertThrows(CredentialException.class, () -> store.read(ANTHROPIC));
        assertEquals(Reason.CORRUPT, e.reason());
        assertTrue(e.getMessage().contains("not UTF-8 text"), e.getMessage());
    }

    private void assertFailure(int status, Reason reason, String expected) {
        keychain.answerNextWith(status);
        CredentialException e = assertThrows(CredentialException.class, () -> store.read(ANTHROPIC));
        assertEquals(reason, e.reason());
        assertTrue(e.getMessage().startsWith("cannot read anthropic/default from the macOS keychain: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private List<String> functions() {
        return keychain.calls.stream().map(SecItemDouble.Call::function).toList();
    }
}
