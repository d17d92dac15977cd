package dev.nexus.services.credentials;

import java.time.Instant;
import java.util.Objects;

/**
 * What the index knows about a credential: never the secret. Which services use it is not stored here;
 * the caller computes that from the catalog.
 *
 * @param backend the {@link CredentialStore#id()} of the store that holds the secret
 */
public record CredentialInfo(CredentialName name, String backend, Instant created, Instant updated) {
    public CredentialInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(updated, "updated");
    }
}
