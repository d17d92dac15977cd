package dev.nexus.services.credentials.use;

import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.credentials.use.MissingCredentialException.Kind;
import dev.nexus.services.credentials.use.MissingCredentialException.Problem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns a service's catalog environment into the real one: the base environment, then each entry in
 * order, with {@code credential:} and {@code op://} references replaced by their secrets. Used alike by
 * the embedded supervisor and by {@code nexus-services exec}, so a service sees the same environment
 * however it is started. Calls may block on a keychain or the 1Password CLI: never on the engine loop.
 */
public final class EnvironmentResolver {
    private static final Logger LOG = LoggerFactory.getLogger(EnvironmentResolver.class);

    private final SecretSource secrets;

    public EnvironmentResolver(SecretSource secrets) {
        this.secrets = secrets;
    }

    /** True when any value is (or tries to be) a reference, i.e. resolving may touch a store. */
    public static boolean hasReferences(Map<String, String> entries) {
        return entries.values().stream().anyMatch(EnvReference::looksLikeReference);
    }

    /**
     * The complete environment: {@code base} overlaid with {@code entries} (references resolved).
     *
     * @throws MissingCredentialException naming every reference that could not be resolved
     */
    public ResolvedEnvironment resolve(String service, Map<String, String> base, Map<String, String> entries)
            throws MissingCredentialException {
        Map<String, String> env = new LinkedHashMap<>(base);
        Set<String> secretValues = new LinkedHashSet<>();
        List<Problem> problems = new ArrayList<>();
        for (Map.Entry<String, String> e : entries.entrySet()) {
            String variable = e.getKey();
            String value = e.getValue();
            EnvReference ref;
            try {
                ref = EnvReference.parse(value);
            } catch (IllegalArgumentException bad) {
                problems.add(new Problem(variable, value, Optional.empty(), Kind.INVALID_REFERENCE, bad.getMessage()));
                continue;
            }
            if (ref instanceof EnvReference.Literal literal) {
                env.put(variable, literal.value());
                continue;
            }
            try {
                Optional<Secret> secret = read(ref);
                if (secret.isEmpty()) {
                    problems.add(new Problem(variable, value, credentialOf(ref), Kind.NOT_SET, "not set"));
                } else {
                    String text = secret.get().reveal();
                    env.put(variable, text);
                    secretValues.add(text);
                }
            } catch (CredentialException unreadable) {
                problems.add(new Problem(variable, value, credentialOf(ref), Kind.UNREADABLE, unreadable.getMessage()));
            } catch (RuntimeException broken) {
                // A store bug must fail this service, not the engine; stores never put secrets in messages.
                problems.add(new Problem(variable, value, credentialOf(ref), Kind.UNREADABLE,
                        "unexpected error: " + broken.getClass().getSimpleName()
                                + (broken.getMessage() == null ? "" : " " + broken.getMessage())));
            }
        }
        if (!problems.isEmpty()) {
            throw new MissingCredentialException(service, problems);
        }
        return new ResolvedEnvironment(env, secretValues);
    }

    /**
     * The secret values of the references that can be read now, for redacting the output of a child
     * that an earlier engine started (it already has its environment). Problems are logged, not thrown:
     * refusing to adopt would orphan a running process.
     */
    public Set<String> readableSecrets(String service, Map<String, String> entries) {
        Set<String> values = new LinkedHashSet<>();
        for (Map.Entry<String, String> e : entries.entrySet()) {
            if (!EnvReference.looksLikeReference(e.getValue())) {
                continue;
            }
            try {
                EnvReference ref = EnvReference.parse(e.getValue());
                read(ref).ifPresentOrElse(s -> values.add(s.reveal()), () -> LOG.warn(
                        "{}: {} ({}) is not set; output of the running process cannot be redacted for it",
                        service, e.getValue(), e.getKey()));
            } catch (CredentialException | RuntimeException ex) {
                LOG.warn("{}: cannot read {} ({}) to redact output of the running process: {}", service,
                        e.getValue(), e.getKey(), ex.getMessage());
            }
        }
        return values;
    }

    private Optional<Secret> read(EnvReference ref) throws CredentialException {
        if (ref instanceof EnvReference.Credential c) {
            return secrets.credential(c.name());
        }
        if (ref instanceof EnvReference.OnePassword op) {
            return Optional.ofNullable(secrets.onePassword(op.reference()));
        }
        throw new IllegalArgumentException("not a reference: " + ref.getClass().getSimpleName());
    }

    private static Optional<CredentialName> credentialOf(EnvReference ref) {
        return ref instanceof EnvReference.Credential c ? Optional.of(c.name()) : Optional.empty();
    }
}
