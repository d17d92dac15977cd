package dev.nexus.services.credentials.use;

import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Secret;
import java.util.Optional;

/**
 * Where references get their secrets. {@link SystemSecrets} is the real one (the keychain facade and
 * 1Password); the engine takes any, so that tests can hand it a store of their own.
 */
public interface SecretSource {
    /** The credential's value, or empty when it is not set. */
    Optional<Secret> credential(CredentialName name) throws CredentialException;

    /** The value behind an {@code op://} reference. */
    Secret onePassword(String reference) throws CredentialException;
}
