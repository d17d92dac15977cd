package dev.nexus.services.credentials.use;

import dev.nexus.services.credentials.CredentialName;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * A service's environment cannot be built: a referenced credential is not set, cannot be read, or the
 * reference itself is malformed. The message names every such credential, the variable that needs it
 * and how to fix it; it never contains a secret value.
 */
public final class MissingCredentialException extends Exception {
    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** The store answered: there is no such credential. */
        NOT_SET,
        /** The store (or the 1Password CLI) could not answer: locked, unavailable, denied, broken. */
        UNREADABLE,
        /** The catalog value is not a valid reference: a configuration mistake, not a missing secret. */
        INVALID_REFERENCE
    }

    /**
     * One variable that could not be filled.
     *
     * @param reference  the catalog text ({@code credential:anthropic/default}, {@code op://...})
     * @param credential the credential's name when the reference names one
     * @param detail     what the store said (for UNREADABLE) or what is malformed; never a secret
     */
    public record Problem(String variable, String reference, Optional<CredentialName> credential, Kind kind,
                          String detail) {
        public String describe(String service) {
            String needs = service + " needs it for " + variable;
            return switch (kind) {
                case NOT_SET -> "credential " + credential.map(Object::toString).orElse(reference) + " is not set ("
                        + needs + "); set it with \"nexus-services credential set " + credential.map(Object::toString)
                        .orElse(reference) + "\" or in Settings › Credentials";
                case UNREADABLE -> credential.isPresent()
                        ? "credential " + credential.get() + " cannot be read (" + needs + "): " + detail
                        : "1Password item " + reference + " cannot be read (" + needs + "): " + detail;
                case INVALID_REFERENCE -> "the value of " + variable + " of " + service + " in services.json is not a "
                        + "valid reference: " + detail;
            };
        }
    }

    private final String service;
    private final List<Problem> problems;

    public MissingCredentialException(String service, List<Problem> problems) {
        super(message(service, problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("a MissingCredentialException needs at least one problem");
        }
        this.service = service;
        this.problems = List.copyOf(problems);
    }

    private static String message(String service, List<Problem> problems) {
        return problems.stream().map(p -> p.describe(service)).collect(Collectors.joining("; "));
    }

    public String service() {
        return service;
    }

    public List<Problem> problems() {
        return problems;
    }

    /** True when every problem is a malformed reference: the catalog is wrong, no secret is missing. */
    public boolean isConfigurationProblem() {
        return problems.stream().allMatch(p -> p.kind() == Kind.INVALID_REFERENCE);
    }

    /** The credentials a user could set to fix this (for a "Set credential…" action). */
    public List<CredentialName> credentialsToSet() {
        return problems.stream().filter(p -> p.kind() == Kind.NOT_SET).flatMap(p -> p.credential().stream())
                .distinct().toList();
    }
}
