package dev.nexus.services.credentials.linux;

import dev.nexus.services.credentials.Availability;
import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialException.Reason;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.CredentialStore;
import dev.nexus.services.credentials.ExplainsAvailability;
import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.credentials.SecretText;
import java.nio.charset.CharacterCodingException;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Linux: secrets in the Secret Service (GNOME Keyring, KWallet, KeePassXC) through libsecret and JNA.
 *
 * <p>Items use the schema {@value #SCHEMA_NAME} with two string attributes: {@code service} (the part
 * before the slash of the credential name) and {@code account} (the part after), so
 * {@code secret-tool lookup service anthropic account default} finds {@code anthropic/default}. They
 * live in the default collection (the login keyring).
 *
 * <p>The session bus address is explicit: {@link #fromEnvironment(Map)} takes it from
 * {@code DBUS_SESSION_BUS_ADDRESS} of the environment given, and when it is unset the store is simply
 * not available: it never autolaunches a bus and never D-Bus-activates a keyring daemon (whether a
 * Secret Service runs is asked of the bus, not of the service). libsecret itself always uses GLib's
 * session bus of this process, found from this process's own {@code DBUS_SESSION_BUS_ADDRESS}, so the
 * store is only available when that is the address given; the process environment is never changed
 * (tests run the store in a child JVM whose environment names their private bus). A locked or
 * missing login keyring is reported as {@link Reason#LOCKED} with what to do; the store never prompts.
 *
 * <p>Native code (libsecret, GLib) is loaded on the first check that needs it, only on Linux.
 */
public final class LibsecretStore implements CredentialStore, ExplainsAvailability {
    public static final String ID = "libsecret";
    public static final String SCHEMA_NAME = "dev.nexus.Credential";
    public static final String BUS_VARIABLE = "DBUS_SESSION_BUS_ADDRESS";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(15);
    private static final int PRIORITY = 100;

    private final String busAddress;
    private final String processBusAddress;
    private final Duration timeout;
    private final HostOs os;

    public LibsecretStore(String busAddress) {
        this(busAddress, System.getenv(BUS_VARIABLE), DEFAULT_TIMEOUT, HostOs.CURRENT);
    }

    LibsecretStore(String busAddress, String processBusAddress, Duration timeout, HostOs os) {
        this.busAddress = blankToNull(busAddress);
        this.processBusAddress = blankToNull(processBusAddress);
        this.timeout = timeout;
        this.os = os;
    }

    private static String blankToNull(String text) {
        return text == null || text.isBlank() ? null : text.strip();
    }

    /** Uses {@code DBUS_SESSION_BUS_ADDRESS} of {@code env}; unset means not available. */
    public static LibsecretStore fromEnvironment(Map<String, String> env) {
        return new LibsecretStore(env.get(BUS_VARIABLE));
    }

    public Optional<String> busAddress() {
        return Optional.ofNullable(busAddress);
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public String description() {
        return "the Secret Service on the session bus (GNOME Keyring, KWallet or KeePassXC), items of schema "
                + SCHEMA_NAME + " in your login keyring, protected by your login password";
    }

    @Override
    public boolean isAvailable() {
        return availability().available();
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public Availability availability() {
        if (os != HostOs.LINUX) {
            return Availability.no("only on Linux");
        }
        if (busAddress == null) {
            return Availability.no(BUS_VARIABLE + " is not set, so there is no session bus to reach a Secret Service "
                    + "(nexus-services never starts one)");
        }
        if (!busAddress.equals(processBusAddress)) {
            return Availability.no(notThisProcessBus());
        }
        GLibraries lib;
        try {
            lib = GLibraries.get();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            return Availability.no("libsecret is not installed (libsecret-1.so.0 not found): install the package "
                    + "libsecret-1-0 (Debian/Ubuntu) or libsecret (Fedora/Arch)");
        }
        String action = "not usable";
        synchronized (LibsecretStore.class) {
            try (SecretServiceConnection connection = SecretServiceConnection.open(lib, busAddress, timeout, action)) {
                if (!connection.secretServiceRunning(action)) {
                    return Availability.no("no Secret Service (" + SecretServiceConnection.SECRET_SERVICE_NAME
                            + ") is running on the session bus at " + busAddress + "; start GNOME Keyring, KWallet or "
                            + "KeePassXC with Secret Service integration");
                }
                connection.openService(action);
                SecretServiceConnection.DefaultCollection collection = connection.defaultCollection(action);
                String state = switch (collection.state()) {
                    case UNLOCKED -> "its default keyring \"" + collection.label() + "\" is unlocked";
                    case LOCKED -> "its default keyring \"" + collection.label() + "\" is locked: " + LibsecretErrors.UNLOCK_HINT;
                    case MISSING -> "but " + LibsecretErrors.NO_COLLECTION_HINT;
                };
                return Availability.yes("a Secret Service is running on the session bus at " + busAddress + "; " + state);
            } catch (CredentialException e) {
                String prefix = action + ": ";
                String why = e.getMessage().startsWith(prefix) ? e.getMessage().substring(prefix.length()) : e.getMessage();
                return e.reason() == Reason.UNAVAILABLE ? Availability.no(why)
                        : Availability.yes("a Secret Service is running on " + busAddress + ", but: " + why);
            }
        }
    }

    @Override
    public Optional<Secret> read(CredentialName name) throws CredentialException {
        String action = "cannot read " + name + " from the Secret Service";
        byte[] bytes = null;
        synchronized (LibsecretStore.class) {
            try (SecretServiceConnection connection = connect(action)) {
                bytes = connection.lookup(Schema.INSTANCE, attributes(name), action);
                if (bytes == null) {
                    return Optional.empty();
                }
                if (bytes.length == 0) {
                    throw new CredentialException(Reason.CORRUPT, action + ": the keyring item is empty; set it again: "
                            + "run: nexus-services credential set " + name);
                }
                char[] chars = decode(bytes, action, name);
                try {
                    return Optional.of(Secret.of(chars));
                } finally {
                    Arrays.fill(chars, '\0');
                }
            } finally {
                SecretServiceConnection.clear(bytes);
            }
        }
    }

    @Override
    public void write(CredentialName name, Secret value) throws CredentialException {
        String action = "cannot store " + name + " in the Secret Service";
        byte[] bytes = SecretText.utf8(value);
        synchronized (LibsecretStore.class) {
            try (SecretServiceConnection connection = connect(action)) {
                connection.store(Schema.INSTANCE, attributes(name), "Nexus credential " + name, bytes, action);
            } finally {
                SecretServiceConnection.clear(bytes);
            }
        }
    }

    @Override
    public boolean delete(CredentialName name) throws CredentialException {
        String action = "cannot remove " + name + " from the Secret Service";
        synchronized (LibsecretStore.class) {
            try (SecretServiceConnection connection = connect(action)) {
                return connection.clear(Schema.INSTANCE, attributes(name), action);
            }
        }
    }

    private String notThisProcessBus() {
        return "libsecret can only use this process's own session bus ("
                + (processBusAddress == null ? BUS_VARIABLE + " is not set for this process" : processBusAddress)
                + "), not " + busAddress;
    }

    /** The attributes an item of {@code name} carries (besides {@code xdg:schema}, which libsecret adds). */
    static Map<String, String> attributes(CredentialName name) {
        Map<String, String> attributes = new LinkedHashMap<>();
        attributes.put("service", name.service());
        attributes.put("account", name.profile());
        return attributes;
    }

    /**
     * A connection with the Secret Service proxy open, after checking (without prompting) that the
     * default collection exists and is unlocked: libsecret would otherwise start an unlock prompt, or
     * try to create a collection, and wait on a dialog that may never show.
     */
    private SecretServiceConnection connect(String action) throws CredentialException {
        if (os != HostOs.LINUX) {
            throw new CredentialException(Reason.UNAVAILABLE, action + ": libsecret is only used on Linux");
        }
        if (busAddress == null) {
            throw new CredentialException(Reason.UNAVAILABLE, action + ": " + BUS_VARIABLE
                    + " is not set, so there is no session bus (nexus-services never starts one)");
        }
        if (!busAddress.equals(processBusAddress)) {
            throw new CredentialException(Reason.UNAVAILABLE, action + ": " + notThisProcessBus());
        }
        GLibraries lib;
        try {
            lib = GLibraries.get();
        } catch (UnsatisfiedLinkError | NoClassDefFoundError e) {
            throw new CredentialException(Reason.UNAVAILABLE, action + ": libsecret is not installed (libsecret-1.so.0)", e);
        }
        SecretServiceConnection connection = SecretServiceConnection.open(lib, busAddress, timeout, action);
        try {
            if (!connection.secretServiceRunning(action)) {
                throw new CredentialException(Reason.UNAVAILABLE, action + ": no Secret Service is running on the "
                        + "session bus at " + busAddress + "; start your keyring (GNOME Keyring, KWallet or KeePassXC)");
            }
            connection.openService(action);
            SecretServiceConnection.DefaultCollection collection = connection.defaultCollection(action);
            switch (collection.state()) {
                case MISSING -> throw new CredentialException(Reason.LOCKED, action + ": " + LibsecretErrors.NO_COLLECTION_HINT);
                case LOCKED -> throw new CredentialException(Reason.LOCKED, action + ": your keyring \""
                        + collection.label() + "\" is locked: " + LibsecretErrors.UNLOCK_HINT);
                case UNLOCKED -> {
                    return connection;
                }
                default -> throw new IllegalStateException("unknown collection state " + collection.state());
            }
        } catch (CredentialException | RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    private static char[] decode(byte[] bytes, String action, CredentialName name) throws CredentialException {
        try {
            return SecretText.decodeUtf8(bytes);
        } catch (CharacterCodingException e) {
            throw new CredentialException(Reason.CORRUPT, action + ": the keyring item is not UTF-8 text; set it again: "
                    + "run: nexus-services credential set " + name);
        }
    }

    /** The schema, built (and its native memory kept alive) on first use only. */
    private static final class Schema {
        static final GLibraries.SecretSchema INSTANCE = new GLibraries.SecretSchema(SCHEMA_NAME, List.of("service", "account"));
    }
}
