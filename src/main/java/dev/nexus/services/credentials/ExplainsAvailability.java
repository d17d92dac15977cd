package dev.nexus.services.credentials;

/**
 * A store that can say why it is or is not available; {@link Credentials#whereExplanation()} uses it.
 * Checking must have no side effects, like {@link CredentialStore#isAvailable()}.
 */
public interface ExplainsAvailability {
    Availability availability();
}
