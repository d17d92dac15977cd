package dev.nexus.services.credentials.use;

import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Credentials;
import dev.nexus.services.credentials.OnePasswordReader;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.support.NexusPaths;
import java.util.Map;
import java.util.Optional;

/**
 * The user's real secrets: the credential facade (OS keychain or encrypted file) and the 1Password
 * CLI. Both are opened on first use, not at construction: choosing a keychain asks the OS whether it
 * answers, which may take a while, and must never happen on the engine loop.
 */
public final class SystemSecrets implements SecretSource {
    private final NexusPaths paths;
    private final Map<String, String> env;
    private Credentials credentials;
    private OnePasswordReader onePassword;

    public SystemSecrets(NexusPaths paths, Map<String, String> env) {
        this.paths = paths;
        this.env = Map.copyOf(env);
    }

    /** The facade, opened once. */
    public synchronized Credentials credentials() {
        if (credentials == null) {
            credentials = Credentials.open(paths, env);
        }
        return credentials;
    }

    private synchronized OnePasswordReader onePasswordReader() {
        if (onePassword == null) {
            onePassword = new OnePasswordReader(env);
        }
        return onePassword;
    }

    @Override
    public Optional<Secret> credential(CredentialName name) throws CredentialException {
        return credentials().get(name);
    }

    @Override
    public Secret onePassword(String reference) throws CredentialException {
        return onePasswordReader().resolve(reference);
    }
}
