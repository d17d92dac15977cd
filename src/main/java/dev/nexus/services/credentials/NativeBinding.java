package dev.nexus.services.credentials;

import dev.nexus.services.credentials.CredentialException.Reason;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * A keychain's native API, bound on first use and only on the system it belongs to, so that elsewhere the
 * store stays plain Java. A failed load is remembered (loading again would fail the same way) and explained.
 *
 * @param <A> the store's interface to the native calls (a test double may be given instead)
 */
public final class NativeBinding<A> {
    private final HostOs host;
    private final HostOs home;
    private final String library;
    private final String onlyOn;
    private final Supplier<A> loader;
    private A api;
    private Throwable loadFailure;

    /**
     * @param host    the system this runs on
     * @param home    the only system the API exists on
     * @param library what is loaded, for messages ("Security.framework")
     * @param onlyOn  what to say elsewhere ("the macOS keychain is only used on macOS")
     * @param loader  binds the real API; may throw linkage errors
     * @param preset  an API to use instead of loading one (tests), or null
     */
    public NativeBinding(HostOs host, HostOs home, String library, String onlyOn, Supplier<A> loader, A preset) {
        this.host = Objects.requireNonNull(host, "host");
        this.home = Objects.requireNonNull(home, "home");
        this.library = library;
        this.onlyOn = onlyOn;
        this.loader = loader;
        this.api = preset;
    }

    public synchronized A get() throws CredentialException {
        if (api != null) {
            return api;
        }
        if (host != home) {
            throw new CredentialException(Reason.UNAVAILABLE, onlyOn);
        }
        if (loadFailure == null) {
            try {
                api = loader.get();
                return api;
            } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
                loadFailure = e;
            }
        }
        throw new CredentialException(Reason.UNAVAILABLE, library + " could not be loaded: " + loadFailure, loadFailure);
    }

    /** Whether the API can be used here; when it can, {@code loadedText} says so. */
    public Availability availability(String elsewhere, String loadedText) {
        if (host != home) {
            return Availability.no(elsewhere);
        }
        try {
            get();
            return Availability.yes(loadedText);
        } catch (CredentialException e) {
            return Availability.no(e.getMessage());
        }
    }
}
