package dev.nexus.services.credentials.macos;

import dev.nexus.services.credentials.Availability;
import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialException.Reason;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.CredentialStore;
import dev.nexus.services.credentials.ExplainsAvailability;
import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.credentials.Secret;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
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

    private final HostOs os;
    private KeychainApi api;
    private Throwable loadFailure;

    /** The real keychain on macOS; unavailable elsewhere. */
    public MacKeychainStore() {
        this(HostOs.CURRENT, null);
    }

    /** With a given implementation of the SecItem calls (a test double on other systems). */
    public MacKeychainStore(KeychainApi api) {
        this(HostOs.MACOS, api);
    }

    private MacKeychainStore(HostOs os, KeychainApi api) {
        this.os = os;
        this.api = api;
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
        if (os != HostOs.MACOS) {
            return Availability.no("only on macOS");
        }
        try {
            api();
            return Availability.yes("Security.framework is loaded; the login keychain is used");
        } catch (CredentialException e) {
            return Availability.no(e.getMessage());
        }
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Optional<Secret> read(CredentialName name) throws CredentialException {
        String action = "cannot read " + name + " from the macOS keychain";
        KeychainApi.CopyResult result = api().copyMatching(KeychainQuery.read(name));
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
        KeychainApi keychain = api();
        byte[] data = utf8(value);
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
        int status = api().delete(KeychainQuery.delete(name));
        if (status == OsStatus.ERR_SEC_ITEM_NOT_FOUND) {
            return false;
        }
        if (status != OsStatus.SUCCESS) {
            throw OsStatus.toException(status, "cannot remove " + name + " from the macOS keychain");
        }
        return true;
    }

    private synchronized KeychainApi api() throws CredentialException {
        if (api != null) {
            return api;
        }
        if (os != HostOs.MACOS) {
            throw new CredentialException(Reason.UNAVAILABLE, "the macOS keychain is only used on macOS");
        }
        if (loadFailure == null) {
            try {
                api = SecurityFramework.load();
                return api;
            } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
                loadFailure = e;
            }
        }
        throw new CredentialException(Reason.UNAVAILABLE,
                "Security.framework could not be loaded: " + loadFailure, loadFailure);
    }

    static byte[] utf8(Secret value) {
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

    private static char[] decode(byte[] bytes, String action, CredentialName name) throws CredentialException {
        try {
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
        } catch (CharacterCodingException e) {
            throw new CredentialException(Reason.CORRUPT, action + ": the keychain item is not UTF-8 text; set it again: "
                    + "run: nexus-services credential set " + name);
        }
    }
}
