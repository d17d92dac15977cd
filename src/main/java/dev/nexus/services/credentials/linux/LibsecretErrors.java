package dev.nexus.services.credentials.linux;

import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialException.Reason;

/**
 * Turns a GError from GDBus or libsecret into a {@link CredentialException} that says what to do.
 * Pure (domain, code and message in), so every branch is tested without a bus.
 */
final class LibsecretErrors {
    /** {@code G_IO_ERROR_CANCELLED}: our own timeout fired. */
    static final int G_IO_ERROR_CANCELLED = 19;
    /** {@code SECRET_ERROR_IS_LOCKED} and {@code SECRET_ERROR_NO_SUCH_OBJECT}. */
    static final int SECRET_ERROR_IS_LOCKED = 2;
    static final int SECRET_ERROR_NO_SUCH_OBJECT = 3;

    static final String UNLOCK_HINT = "unlock your login keyring (log in to your desktop session, or open "
            + "\"Passwords and Keys\" and unlock it) and try again";
    static final String NO_COLLECTION_HINT = "there is no default keyring (login collection) to keep it in: log in "
            + "to a desktop session that creates and unlocks your login keyring, or create a default keyring with "
            + "\"Passwords and Keys\" (Seahorse), then try again";

    private LibsecretErrors() {
    }

    /**
     * @param action what was being done, naming the credential: "cannot read anthropic/default from the Secret Service"
     * @param timeoutSeconds the limit that a cancelled call ran into
     */
    static CredentialException classify(String action, String domain, int code, String message, long timeoutSeconds) {
        String text = message == null ? "" : message;
        String where = domain == null ? "" : domain;
        if (where.startsWith("g-io-error") && code == G_IO_ERROR_CANCELLED) {
            return new CredentialException(Reason.LOCKED, action + ": the Secret Service did not finish within "
                    + timeoutSeconds + " s (it may be waiting for a password prompt nobody can see): " + UNLOCK_HINT);
        }
        if (text.contains("org.freedesktop.Secret.Error.IsLocked")
                || (where.startsWith("secret-error") && code == SECRET_ERROR_IS_LOCKED)) {
            return new CredentialException(Reason.LOCKED, action + ": the keyring is locked: " + UNLOCK_HINT);
        }
        if (text.contains("org.freedesktop.Secret.Error.NoSuchObject") || text.contains("Object does not exist at path")
                || (where.startsWith("secret-error") && code == SECRET_ERROR_NO_SUCH_OBJECT)) {
            return new CredentialException(Reason.LOCKED, action + ": " + NO_COLLECTION_HINT + " (" + text + ")");
        }
        if (text.contains("org.freedesktop.DBus.Error.AccessDenied") || text.contains("NotAuthorized")
                || text.contains("Prompt dismissed") || text.contains("was dismissed")) {
            return new CredentialException(Reason.DENIED, action + ": access was refused (" + text
                    + "); allow nexus-services to use your keyring and try again");
        }
        if (text.contains("org.freedesktop.DBus.Error.ServiceUnknown") || text.contains("NameHasNoOwner")
                || text.contains("org.freedesktop.DBus.Error.NoReply") || text.contains("Disconnected")
                || text.contains("Could not connect") || text.contains("Connection refused")
                || text.contains("No such file or directory")) {
            return new CredentialException(Reason.UNAVAILABLE, action + ": the Secret Service cannot be reached ("
                    + text + "); start your keyring (GNOME Keyring, KWallet or KeePassXC with Secret Service "
                    + "integration) and try again");
        }
        return new CredentialException(Reason.FAILED, action + ": " + (text.isEmpty() ? where + " error " + code : text));
    }
}
