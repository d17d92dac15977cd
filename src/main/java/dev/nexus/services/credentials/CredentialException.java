package dev.nexus.services.credentials;

/**
 * A credential store could not do what was asked. Messages name the store, the credential and what
 * to do — and never contain a secret value.
 */
public class CredentialException extends Exception {
    private static final long serialVersionUID = 1L;

    /** Why, so that callers can tell "set it" from "unlock your keychain" from "broken". */
    public enum Reason {
        /** The store exists but is locked (an unlocked login keyring is needed). */
        LOCKED,
        /** The store cannot be reached here (no Secret Service on the bus, no `op` CLI, ...). */
        UNAVAILABLE,
        /** The user or the OS refused access. */
        DENIED,
        /** Stored data is damaged (tampered or truncated file, wrong key). */
        CORRUPT,
        /** The store is read-only (1Password references). */
        READ_ONLY,
        /** Anything else the store reported; the message says what. */
        FAILED
    }

    private final Reason reason;

    public CredentialException(Reason reason, String message) {
        this(reason, message, null);
    }

    public CredentialException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
