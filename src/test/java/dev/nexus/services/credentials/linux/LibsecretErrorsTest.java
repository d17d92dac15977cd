package dev.nexus.services.credentials.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialException.Reason;
import org.junit.jupiter.api.Test;

/** GErrors from GDBus and libsecret as they really read, and what the user is told for each. */
class LibsecretErrorsTest {
    private static final String ACTION = "cannot read anthropic/default from the Secret Service";

    @Test
    void ourOwnDeadlineIsLockedWithTheTimeout() {
        CredentialException e = LibsecretErrors.classify(ACTION, "g-io-error-quark", 19, "Operation was cancelled", 15);
        assertEquals(Reason.LOCKED, e.reason());
        assertTrue(e.getMessage().startsWith(ACTION + ": the Secret Service did not finish within 15 s"), e.getMessage());
    }

    @Test
    void lockedAndMissingCollections() {
        assertEquals(Reason.LOCKED, LibsecretErrors.classify(ACTION, "g-dbus-error-quark", 36,
                "GDBus.Error:org.freedesktop.Secret.Error.IsLocked: Cannot create an item in a locked collection", 15).reason());
        assertEquals(Reason.LOCKED, LibsecretErrors.classify(ACTION, "secret-error", 2, "locked", 15).reason());
        CredentialException missing = LibsecretErrors.classify(ACTION, "g-dbus-error-quark", 36,
                "GDBus.Error:org.freedesktop.Secret.Error.NoSuchObject: Object does not exist at path “/org/freedesktop/secrets/collection/login”", 15);
        assertEquals(Reason.LOCKED, missing.reason());
        assertTrue(missing.getMessage().contains("there is no default keyring"), missing.getMessage());
    }

    @Test
    void refusalsAndAbsentServices() {
        assertEquals(Reason.DENIED, LibsecretErrors.classify(ACTION, "g-dbus-error-quark", 9,
                "GDBus.Error:org.freedesktop.DBus.Error.AccessDenied: Rejected", 15).reason());
        assertEquals(Reason.UNAVAILABLE, LibsecretErrors.classify(ACTION, "g-dbus-error-quark", 2,
                "GDBus.Error:org.freedesktop.DBus.Error.ServiceUnknown: The name is not activatable", 15).reason());
        assertEquals(Reason.UNAVAILABLE, LibsecretErrors.classify(ACTION, "g-io-error-quark", 1,
                "Could not connect: No such file or directory", 15).reason());
    }

    @Test
    void anythingElseIsFailedWithTheOriginalText() {
        CredentialException e = LibsecretErrors.classify(ACTION, "g-dbus-error-quark", 16, "GDBus.Error:org.example.Odd: odd", 15);
        assertEquals(Reason.FAILED, e.reason());
        assertEquals(ACTION + ": GDBus.Error:org.example.Odd: odd", e.getMessage());
        assertEquals(ACTION + ": some-quark error 7", LibsecretErrors.classify(ACTION, "some-quark", 7, "", 15).getMessage());
    }
}
