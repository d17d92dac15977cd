package dev.nexus.services.credentials.use;

import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.CredentialStore;
import dev.nexus.services.credentials.Secret;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * TEST DOUBLE: a SecretSource over any CredentialStore, with 1Password references answered from a
 * map (an unknown reference fails the way the op CLI does: unreadable).
 */
public final class StoreSecretSource implements SecretSource {
    private final CredentialStore store;
    private final Map<String, String> onePassword = new ConcurrentHashMap<>();

    public StoreSecretSource(CredentialStore store) {
        this.store = store;
    }

    public StoreSecretSource onePassword(String reference, String value) {
        onePassword.put(reference, value);
        return this;
    }

    @Override
    public Optional<Secret> credential(CredentialName name) throws CredentialException {
        return store.read(name);
    }

    @Override
    public Secret onePassword(String reference) throws CredentialException {
        String value = onePassword.get(reference);
        if (value == null) {
            throw new CredentialException(CredentialException.Reason.FAILED, "op: \"" + reference
                    + "\" isn't an item in any vault");
        }
        return Secret.of(value);
    }
}
