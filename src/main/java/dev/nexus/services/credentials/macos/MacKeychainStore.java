package dev.nexus.services.credentials.macos;

import dev.nexus.services.credentials.Availability;
import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialException.Reason;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.CredentialStore;
import dev.nexus.services.credentials.ExplainsAvailability;
import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.credentials.NativeBinding;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.credentials.SecretText;
import java.nio.charset.CharacterCodingException;
import java.util.Arrays;
import java.util.Optional;

/**
 * macOS: generic passwords in the login keychain through the SecItem API (not the deprecated
 * SecKeychain* one). See {@link KeychainQuery} for the mapping of names to items.
 *
 * <p>Security.framework is loaded on first use and only on macOS: on other systems this class is plain
 * Java and {@link #isAvailable()} is false without touching any native library.
 */
public final class MacKeychainStore implements CredentialStore, ExplainsAvailability {
    public static final String ID = "macos-keychain";
    private static final int PRIORITY = 100;

    private final NativeBinding<KeychainApi> api;

    /** The real keychain on macOS; unavailable elsewhere. */
    public MacKeychainStore() {
        this(HostOs.CURRENT, null);
    }

    /** With a given implementation of the SecItem calls (a test double on other systems). */
    public MacKeychainStore(KeychainApi api) {
        this(HostOs.MACOS, api);
    }

    private MacKeychainStore(HostOs os, KeychainApi api) {
        this.api = new NativeBinding<>(os, HostOs.MACOS, "Security.framework", "the macOS keychain is only used on macOS",
                () -> SecurityFramework.load(), api);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "the macOS login keychain (generic passwords, service dev.nexus.<service>, account <profile>), "
                + "protected by your login password";
    }

    @Override
    public boolean isAvailable() {
        return availability().available();
    }

    @Override
    public Availability availability() {
        return api.availability("only on macOS", "Security.framework is loaded; the login keychain is used");
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Optional<Secret> read(CredentialName name) throws CredentialException {
        String action = "cannot read " + name + " from the macOS keychain";
        KeychainApi.CopyResult result = api.get().copyMatching(KeychainQuery.read(name));
        byte[] data = result.data();
        try {
            if (result.status() == OsStatus.ERR_SEC_ITEM_NOT_FOUND) {
                return Optional.empty();
            }
            if (result.status() != OsStatus.SUCCESS) {
                throw OsStatus.toException(result.status(), action);
            }
            if (data == null || data.length == 0) {
                throw new CredentialException(Reason.CORRUPT, action + ": the keychain item has no data; set it again: "
                        + "run: nexus-services credential set " + name);
            }
            char[] chars = decode(data, action, name);
            try {
                return Optional.of(Secret.of(chars));
            } finally {
                Arrays.fill(chars, '\0');
            }
        } finally {
            if (data != null) {
                Arrays.fill(data, (byte) 0);
            }
        }
    }

    /** Update in place when the item exists (keeps its access control), else add; a racing add is retried as an update. */
    @Override
    public void write(CredentialName name, Secret value) throws CredentialException {
        String action = "cannot store " + name + " in the macOS keychain";
        KeychainApi keychain = api.get();
        byte[] data = SecretText.utf8(value);
        try {
            int status = keychain.update(KeychainQuery.updateQuery(name), KeychainQuery.updateChanges(name, data));
            if (status == OsStatus.ERR_SEC_ITEM_NOT_FOUND) {
                status = keychain.add(KeychainQuery.add(name, data));
                if (status == OsStatus.ERR_SEC_DUPLICATE_ITEM) {
                    status = keychain.update(KeychainQuery.updateQuery(name), KeychainQuery.updateChanges(name, data));
                }
            }
            if (status != OsStatus.SUCCESS) {
                throw OsStatus.toException(status, action);
            }
        } finally {
            Arrays.fill(data, (byte) 0);
        }
    }

    @Override
    public boolean delete(CredentialName name) throws CredentialException {
        int status = api.get().delete(KeychainQuery.delete(name));
        if (status == OsStatus.ERR_SEC_ITEM_NOT_FOUND) {
            return false;
        }
        if (status != OsStatus.SUCCESS) {
            throw OsStatus.toException(status, "cannot remove " + name + " from the macOS keychain");
        }
        return true;
    }


    private static char[] decode(byte[] bytes, String action, CredentialName name) throws CredentialException {
        try {
            return SecretText.decodeUtf8(bytes);
        } catch (CharacterCodingException e) {
            throw new CredentialException(Reason.CORRUPT, action + ": the keychain item is not UTF-8 text; set it again: "
                    + "run: nexus-services credential set " + name);
        }
    }
}
