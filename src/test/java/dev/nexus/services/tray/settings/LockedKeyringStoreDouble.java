package dev.nexus.services.tray.settings;

import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.CredentialStore;
import dev.nexus.services.credentials.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A test double for an OS keychain that can be locked: in memory, and while locked every call fails with
 * {@link CredentialException.Reason#LOCKED} and a message shaped like the libsecret store's. A real locked
 * keyring needs a desktop session's keyring daemon; the Credentials tab only has to show the error.
 */
final class LockedKeyringStoreDouble implements CredentialStore {
    static final String ID = "test-keyring";

    private final Map<CredentialName, Secret> items = new ConcurrentHashMap<>();
    private volatile boolean locked = true;

    void lock() {
        locked = true;
    }

    void unlock() {
        locked = false;
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "a test keyring in memory, protected by a pretend login password";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public int priority() {
        return 100;
    }

    @Override
    public Optional<Secret> read(CredentialName name) throws CredentialException {
        refuseWhileLocked("cannot read " + name + " from " + ID);
        return Optional.ofNullable(items.get(name));
    }

    @Override
    public void write(CredentialName name, Secret value) throws CredentialException {
        refuseWhileLocked("cannot store " + name + " in " + ID);
        items.put(name, value);
    }

    @Override
    public boolean delete(CredentialName name) throws CredentialException {
        refuseWhileLocked("cannot remove " + name + " from " + ID);
        return items.remove(name) != null;
    }

    private void refuseWhileLocked(String action) throws CredentialException {
        if (locked) {
            throw new CredentialException(CredentialException.Reason.LOCKED, action + ": the keyring is locked: "
                    + "unlock your login keyring and try again");
        }
    }
}
