package dev.nexus.services.credentials.windows;

import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialException.Reason;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.credentials.SecretText;
import java.nio.charset.CharacterCodingException;
import java.util.Arrays;
import java.util.Optional;

/**
 * How credentials map onto Windows generic credentials, as pure functions.
 *
 * <p>Target name {@code nexus:<service>/<profile>} (so {@code cmdkey /list:nexus:*} shows ours and
 * nothing else), user name {@code <profile>}, the secret as UTF-8 in the blob. Windows refuses blobs over
 * {@value #MAX_BLOB_BYTES} bytes (CRED_MAX_CREDENTIAL_BLOB_SIZE); that is checked before the call so the
 * user learns the real limit instead of a bare ERROR_INVALID_PARAMETER.
 */
public final class WindowsCredentialMapping {
    public static final String TARGET_PREFIX = "nexus:";
    public static final String ENUMERATE_FILTER = TARGET_PREFIX + "*";
    /** CRED_MAX_CREDENTIAL_BLOB_SIZE = 5 * 512 bytes. */
    public static final int MAX_BLOB_BYTES = 2560;

    public static final int ERROR_ACCESS_DENIED = 5;
    public static final int ERROR_NOT_SUPPORTED = 50;
    public static final int ERROR_INVALID_PARAMETER = 87;
    public static final int ERROR_INVALID_FLAGS = 1004;
    public static final int ERROR_NOT_FOUND = 1168;
    public static final int ERROR_NO_SUCH_LOGON_SESSION = 1312;
    public static final int ERROR_BAD_USERNAME = 2202;

    private WindowsCredentialMapping() {
    }

    public static String targetName(CredentialName name) {
        return TARGET_PREFIX + name;
    }

    /** The credential a target name stands for, if it is one of ours and well formed. */
    public static Optional<CredentialName> nameOf(String targetName) {
        if (targetName == null || !targetName.startsWith(TARGET_PREFIX)) {
            return Optional.empty();
        }
        try {
            return Optional.of(CredentialName.parse(targetName.substring(TARGET_PREFIX.length())));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    public static String comment(CredentialName name) {
        return "Nexus Services credential " + name;
    }

    /** UTF-8 bytes of the secret; refused before any call when over the Credential Manager's limit. */
    public static byte[] blob(CredentialName name, Secret value) throws CredentialException {
        byte[] bytes = SecretText.utf8(value);
        if (bytes.length > MAX_BLOB_BYTES) {
            int size = bytes.length;
            Arrays.fill(bytes, (byte) 0);
            throw new CredentialException(Reason.FAILED, "cannot store " + name + " in Windows Credential Manager: the value is "
                    + size + " bytes (UTF-8) and Credential Manager holds at most " + MAX_BLOB_BYTES
                    + " bytes per credential; keep a shorter value there, or a reference to a file");
        }
        return bytes;
    }

    public static Secret secret(CredentialName name, byte[] blob) throws CredentialException {
        if (blob.length == 0) {
            throw new CredentialException(Reason.CORRUPT, "cannot read " + name + " from Windows Credential Manager: "
                    + "the credential is empty; set it again: run: nexus-services credential set " + name);
        }
        try {
            char[] chars = SecretText.decodeUtf8(blob);
            try {
                return Secret.of(chars);
            } finally {
                Arrays.fill(chars, '\0');
            }
        } catch (CharacterCodingException e) {
            throw new CredentialException(Reason.CORRUPT, "cannot read " + name + " from Windows Credential Manager: "
                    + "the stored value is not UTF-8 text (was it written by another program?); set it again: "
                    + "run: nexus-services credential set " + name);
        }
    }

    /** @param action what was being done, naming the credential */
    public static CredentialException toException(int win32Error, String action) {
        return switch (win32Error) {
            case ERROR_NO_SUCH_LOGON_SESSION -> new CredentialException(Reason.UNAVAILABLE, action
                    + ": this logon session has no credential store (ERROR_NO_SUCH_LOGON_SESSION), as for a service "
                    + "running as SYSTEM or a network logon; run nexus-services as the logged-in user");
            case ERROR_ACCESS_DENIED -> new CredentialException(Reason.DENIED, action
                    + ": access denied by Windows (ERROR_ACCESS_DENIED)");
            case ERROR_NOT_SUPPORTED -> new CredentialException(Reason.UNAVAILABLE, action
                    + ": Credential Manager does not support this here (ERROR_NOT_SUPPORTED)");
            case ERROR_INVALID_PARAMETER -> new CredentialException(Reason.FAILED, action
                    + ": Windows rejected the request as invalid (ERROR_INVALID_PARAMETER)");
            case ERROR_INVALID_FLAGS -> new CredentialException(Reason.FAILED, action
                    + ": Windows rejected the flags (ERROR_INVALID_FLAGS)");
            case ERROR_BAD_USERNAME -> new CredentialException(Reason.FAILED, action
                    + ": Windows rejected the user name (ERROR_BAD_USERNAME)");
            default -> new CredentialException(Reason.FAILED, action + ": Windows error " + win32Error
                    + " (look it up with: certutil -error " + win32Error + ")");
        };
    }
}
