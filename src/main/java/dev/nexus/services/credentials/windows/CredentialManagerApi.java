package dev.nexus.services.credentials.windows;

import java.util.List;

/**
 * The Credential Manager calls for generic credentials, with Win32 error codes as {@link Win32Error}.
 * The native implementation ({@link Advapi32Credentials}) only translates; the mapping of names,
 * blobs and errors lives in {@link WindowsCredentialStore} and {@link WindowsCredentialMapping} and is
 * tested against a stand-in on any OS.
 */
public interface CredentialManagerApi {
    /** The credential blob of {@code target}, or null when there is none (ERROR_NOT_FOUND). */
    byte[] read(String target) throws Win32Error;

    /** CredWriteW: creates or replaces. */
    void write(String target, String userName, String comment, byte[] blob) throws Win32Error;

    /** False when there was none. */
    boolean delete(String target) throws Win32Error;

    /** The target names matching {@code filter} (such as {@code nexus:*}); empty when none. */
    List<String> enumerate(String filter) throws Win32Error;

    /** A failed call and its {@code GetLastError()} code. */
    final class Win32Error extends Exception {
        private static final long serialVersionUID = 1L;
        private final int code;

        public Win32Error(String function, int code) {
            super(function + " failed with Windows error " + code);
            this.code = code;
        }

        public int code() {
            return code;
        }
    }
}
