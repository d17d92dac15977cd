package dev.nexus.services.credentials.use;

import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.CredentialStore;
import dev.nexus.services.credentials.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TEST DOUBLE: a CredentialStore that keeps secrets in memory, for tests of how credentials are
 * used (not of how they are stored: the real stores have their own tests). It can be "locked" to
 * play a keychain that refuses to answer, and it counts reads.
 */
public class InMemoryCredentialStore implements CredentialStore {
    private final Map<CredentialName, Secret> secrets = new ConcurrentHashMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    private volatile boolean locked;

    public InMemoryCredentialStore put(String name, String value) {
        secrets.put(CredentialName.parse(name), Secret.of(value));
        return this;
    }

    public void lock(boolean value) {
        locked = value;
    }

    public int reads() {
        return reads.get();
    }

    @Override
    public String id() {
        return "test-memory";
    }

    @Override
    public String description() {
        return "test double: secrets in memory";
    }

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Optional<Secret> read(CredentialName name) throws CredentialException {
        reads.incrementAndGet();
        if (locked) {
            throw new CredentialException(CredentialException.Reason.LOCKED,
                    "the test keyring is locked; unlock it and try again");
        }
        return Optional.ofNullable(secrets.get(name));
    }

    @Override
    public void write(CredentialName name, Secret value) {
        secrets.put(name, value);
    }

    @Override
    public boolean delete(CredentialName name) {
        return secrets.remove(name) != null;
    }
}
