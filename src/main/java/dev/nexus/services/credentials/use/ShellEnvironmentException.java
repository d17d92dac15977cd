package dev.nexus.services.credentials.use;

/** The login shell's environment could not be loaded; the message says why and what to look at. */
public final class ShellEnvironmentException extends Exception {
    private static final long serialVersionUID = 1L;

    public ShellEnvironmentException(String message) {
        super(message);
    }

    public ShellEnvironmentException(String message, Throwable cause) {
        super(message, cause);
    }
}
