package dev.nexus.services.power;

/** A sleep/wake source that cannot work here, with the reason in words ("no system bus at ..."). */
public final class SourceUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public SourceUnavailableException(String message) {
        super(message);
    }

    public SourceUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
