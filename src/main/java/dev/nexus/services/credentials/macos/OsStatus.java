package dev.nexus.services.credentials.macos;

import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialException.Reason;

/** OSStatus codes of the SecItem API and what each means for the user. */
public final class OsStatus {
    public static final int SUCCESS = 0;
    public static final int ERR_SEC_ITEM_NOT_FOUND = -25300;
    public static final int ERR_SEC_DUPLICATE_ITEM = -25299;
    public static final int ERR_SEC_AUTH_FAILED = -25293;
    public static final int ERR_SEC_INTERACTION_NOT_ALLOWED = -25308;
    public static final int ERR_SEC_USER_CANCELED = -128;
    public static final int ERR_SEC_NOT_AVAILABLE = -25291;
    public static final int ERR_SEC_NO_SUCH_KEYCHAIN = -25294;
    public static final int ERR_SEC_READ_ONLY = -25292;
    public static final int ERR_SEC_MISSING_ENTITLEMENT = -34018;
    public static final int ERR_SEC_PARAM = -50;
    public static final int ERR_SEC_DECODE = -26275;

    private OsStatus() {
    }

    /**
     * The exception for a failed call. Not for {@link #ERR_SEC_ITEM_NOT_FOUND}, which callers treat as
     * "absent", nor for {@link #SUCCESS}.
     *
     * @param action what was being done, naming the credential: "cannot read anthropic/default from the macOS keychain"
     */
    public static CredentialException toException(int status, String action) {
        return switch (status) {
            case ERR_SEC_INTERACTION_NOT_ALLOWED -> new CredentialException(Reason.LOCKED, action
                    + ": the login keychain is locked or needs your confirmation, and no dialog may be shown here "
                    + "(errSecInteractionNotAllowed). Unlock it (log in, or open Keychain Access and unlock \"login\") and try again");
            case ERR_SEC_AUTH_FAILED -> new CredentialException(Reason.DENIED, action
                    + ": the keychain refused access (errSecAuthFailed). Unlock the login keychain with your password "
                    + "or allow nexus-services in the item's Access Control in Keychain Access");
            case ERR_SEC_USER_CANCELED -> new CredentialException(Reason.DENIED, action
                    + ": access was cancelled at the keychain prompt (errSecUserCanceled)");
            case ERR_SEC_MISSING_ENTITLEMENT -> new CredentialException(Reason.DENIED, action
                    + ": this program lacks the keychain entitlement (errSecMissingEntitlement)");
            case ERR_SEC_NOT_AVAILABLE -> new CredentialException(Reason.UNAVAILABLE, action
                    + ": no keychain is available (errSecNotAvailable); is this a login session with a keychain?");
            case ERR_SEC_NO_SUCH_KEYCHAIN -> new CredentialException(Reason.LOCKED, action
                    + ": there is no default keychain (errSecNoSuchKeychain). Create or reset the login keychain in Keychain Access");
            case ERR_SEC_READ_ONLY -> new CredentialException(Reason.FAILED, action
                    + ": the keychain is read-only (errSecReadOnly)");
            case ERR_SEC_DUPLICATE_ITEM -> new CredentialException(Reason.FAILED, action
                    + ": the item already exists and could not be replaced (errSecDuplicateItem)");
            case ERR_SEC_DECODE -> new CredentialException(Reason.CORRUPT, action
                    + ": the keychain item cannot be decoded (errSecDecode)");
            case ERR_SEC_PARAM -> new CredentialException(Reason.FAILED, action
                    + ": the keychain rejected the request as invalid (errSecParam)");
            default -> new CredentialException(Reason.FAILED, action + ": the keychain answered OSStatus " + status
                    + " (look it up with: security error " + status + ")");
        };
    }
}
