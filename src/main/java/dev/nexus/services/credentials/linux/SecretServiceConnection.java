package dev.nexus.services.credentials.linux;

import com.sun.jna.Memory;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One operation's view of the Secret Service: a private connection to the session bus at an explicit
 * address, used to ask the bus (never the service, so nothing is D-Bus activated) whether a Secret
 * Service is running, and libsecret's proxy for the operations themselves.
 *
 * <p>libsecret always talks over GLib's session bus of this process, which GLib finds from this
 * process's {@code DBUS_SESSION_BUS_ADDRESS} (and might autolaunch without it), so {@link LibsecretStore}
 * only gets here when that variable is set and is the address asked for.
 *
 * <p>Every call carries one {@code GCancellable} that a timer cancels when the deadline passes, so a
 * keyring waiting on a password prompt that nobody can answer cannot hang the caller. Everything
 * allocated here (GErrors, variants, hash tables, values, objects) is freed before a method returns or
 * in {@link #close()}. Not thread-safe; one operation at a time.
 */
final class SecretServiceConnection implements AutoCloseable {
    static final String SECRET_SERVICE_NAME = "org.freedesktop.secrets";
    private static final String SECRET_SERVICE_PATH = "/org/freedesktop/secrets";
    private static final String SECRET_SERVICE_INTERFACE = "org.freedesktop.Secret.Service";
    private static final ScheduledExecutorService TIMER = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "libsecret-deadline");
        thread.setDaemon(true);
        return thread;
    });

    private final GLibraries lib;
    private final Duration timeout;
    private final Pointer cancellable;
    private final ScheduledFuture<?> deadline;
    private final Object cancelGuard = new Object();
    private boolean finished;
    private Pointer connection;
    private Pointer service;

    private SecretServiceConnection(GLibraries lib, Duration timeout) {
        this.lib = lib;
        this.timeout = timeout;
        this.cancellable = lib.gio.g_cancellable_new();
        this.deadline = TIMER.schedule(this::cancel, timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Connects to the bus at {@code address}; the deadline for everything done on it starts now. */
    static SecretServiceConnection open(GLibraries lib, String address, Duration timeout, String action)
            throws CredentialException {
        SecretServiceConnection session = new SecretServiceConnection(lib, timeout);
        try {
            PointerByReference error = new PointerByReference();
            session.connection = lib.gio.g_dbus_connection_new_for_address_sync(address,
                    GLibraries.Gio.G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                            | GLibraries.Gio.G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                    null, session.cancellable, error);
            GError failure = session.take(error);
            if (failure != null || session.connection == null) {
                String why = failure == null ? "" : " (" + failure.message() + ")";
                throw failure != null && failure.isCancellation()
                        ? LibsecretErrors.classify(action, failure.domain(), failure.code(), failure.message(), timeout.toSeconds())
                        : new CredentialException(Reason.UNAVAILABLE, action + ": cannot connect to the session bus at " + address + why);
            }
            return session;
        } catch (CredentialException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** Asks the bus itself, without starting anything, whether the Secret Service is running. */
    boolean secretServiceRunning(String action) throws CredentialException {
        PointerByReference error = new PointerByReference();
        Pointer[] children = {lib.glib.g_variant_new_string(SECRET_SERVICE_NAME)};
        Pointer parameters = lib.glib.g_variant_new_tuple(children, new NativeLong(1));
        Pointer reply = lib.gio.g_dbus_connection_call_sync(connection, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                "org.freedesktop.DBus", "NameHasOwner", parameters, null,
                GLibraries.Gio.G_DBUS_CALL_FLAGS_NO_AUTO_START, (int) timeout.toMillis(), cancellable, error);
        check(error, action);
        if (reply == null) {
            throw new CredentialException(Reason.FAILED, action + ": the bus gave no answer to NameHasOwner");
        }
        try {
            Pointer first = lib.glib.g_variant_get_child_value(reply, new NativeLong(0));
            try {
                return lib.glib.g_variant_get_boolean(first) != 0;
            } finally {
                lib.glib.g_variant_unref(first);
            }
        } finally {
            lib.glib.g_variant_unref(reply);
        }
    }

    /**
     * Opens libsecret's Secret Service proxy and a session for transferring secrets. libsecret always
     * uses GLib's session bus of this process (its SecretService constructor forces the session bus
     * type), so the caller must have checked that this process's bus is the one asked for; this
     * double-checks by comparing the server GUIDs of both connections and refuses a mismatch.
     */
    void openService(String action) throws CredentialException {
        PointerByReference error = new PointerByReference();
        service = lib.secret.secret_service_open_sync(lib.secret.secret_service_get_type(), SECRET_SERVICE_NAME,
                GLibraries.Secret.SECRET_SERVICE_OPEN_SESSION, cancellable, error);
        check(error, action);
        if (service == null) {
            throw new CredentialException(Reason.FAILED, action + ": the Secret Service proxy could not be created");
        }
        Pointer sessionBus = lib.gio.g_dbus_proxy_get_connection(service);
        // GLib's shared session connection would raise SIGTERM in this JVM if the bus went away.
        lib.gio.g_dbus_connection_set_exit_on_close(sessionBus, 0);
        String expected = lib.gio.g_dbus_connection_get_guid(connection);
        String actual = lib.gio.g_dbus_connection_get_guid(sessionBus);
        if (expected == null || !expected.equals(actual)) {
            throw new CredentialException(Reason.FAILED, action + ": libsecret is connected to a different session bus "
                    + "(server " + actual + ") than the one asked for (server " + expected + ")");
        }
    }

    /** What state the default collection (the login keyring) is in. */
    enum CollectionState { UNLOCKED, LOCKED, MISSING }

    record DefaultCollection(CollectionState state, String label) {
    }

    DefaultCollection defaultCollection(String action) throws CredentialException {
        PointerByReference error = new PointerByReference();
        Pointer collection = lib.secret.secret_collection_for_alias_sync(service, "default",
                GLibraries.Secret.SECRET_COLLECTION_NONE, cancellable, error);
        check(error, action);
        if (collection == null) {
            return new DefaultCollection(CollectionState.MISSING, null);
        }
        try {
            Pointer labelPointer = lib.secret.secret_collection_get_label(collection);
            String label = null;
            if (labelPointer != null) {
                label = labelPointer.getString(0, "UTF-8");
                lib.glib.g_free(labelPointer);
            }
            boolean locked = lib.secret.secret_collection_get_locked(collection) != 0;
            return new DefaultCollection(locked ? CollectionState.LOCKED : CollectionState.UNLOCKED, label);
        } finally {
            lib.gobject.g_object_unref(collection);
        }
    }

    /** The secret's bytes, or null when no item matches. The caller clears the array. */
    byte[] lookup(GLibraries.SecretSchema schema, Map<String, String> attributes, String action) throws CredentialException {
        return withAttributes(attributes, table -> {
            PointerByReference error = new PointerByReference();
            Pointer value = lib.secret.secret_service_lookup_sync(service, schema, table, cancellable, error);
            check(error, action);
            if (value == null) {
                return null;
            }
            try {
                NativeLongByReference length = new NativeLongByReference();
                Pointer data = lib.secret.secret_value_get(value, length);
                return data == null ? new byte[0] : data.getByteArray(0, Math.toIntExact(length.getValue().longValue()));
            } finally {
                lib.secret.secret_value_unref(value);
            }
        });
    }

    /** Stores into the default collection, replacing an item with the same attributes. */
    void store(GLibraries.SecretSchema schema, Map<String, String> attributes, String label, byte[] secret, String action)
            throws CredentialException {
        withAttributes(attributes, table -> {
            Memory buffer = new Memory(secret.length);
            Pointer value;
            try {
                buffer.write(0, secret, 0, secret.length);
                // secret_value_new copies into libsecret's own (non-swappable) memory.
                value = lib.secret.secret_value_new(buffer, new NativeLong(secret.length), "text/plain");
            } finally {
                buffer.clear();
                buffer.close();
            }
            try {
                PointerByReference error = new PointerByReference();
                int ok = lib.secret.secret_service_store_sync(service, schema, table, null, label, value, cancellable, error);
                check(error, action);
                if (ok == 0) {
                    throw new CredentialException(Reason.FAILED, action + ": the Secret Service refused to store the item");
                }
                return null;
            } finally {
                lib.secret.secret_value_unref(value);
            }
        });
    }

    /** Deletes every item with these attributes; false when there was none. */
    boolean clear(GLibraries.SecretSchema schema, Map<String, String> attributes, String action) throws CredentialException {
        return withAttributes(attributes, table -> {
            PointerByReference error = new PointerByReference();
            int removed = lib.secret.secret_service_clear_sync(service, schema, table, cancellable, error);
            check(error, action);
            return removed != 0;
        });
    }

    @FunctionalInterface
    private interface TableCall<T> {
        T apply(Pointer table) throws CredentialException;
    }

    /** A GHashTable of the attributes; its keys and values live in Java-owned memory until it is freed. */
    private <T> T withAttributes(Map<String, String> attributes, TableCall<T> call) throws CredentialException {
        Pointer table = lib.glib.g_hash_table_new(lib.strHash, lib.strEqual);
        List<Memory> strings = new ArrayList<>();
        try {
            for (Map.Entry<String, String> entry : attributes.entrySet()) {
                Memory key = cString(entry.getKey());
                Memory value = cString(entry.getValue());
                strings.add(key);
                strings.add(value);
                lib.glib.g_hash_table_insert(table, key, value);
            }
            return call.apply(table);
        } finally {
            lib.glib.g_hash_table_unref(table);
            strings.forEach(Memory::close);
        }
    }

    private static Memory cString(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        Memory memory = new Memory(bytes.length + 1L);
        memory.write(0, bytes, 0, bytes.length);
        memory.setByte(bytes.length, (byte) 0);
        return memory;
    }

    /** Throws the GError if one was set, after freeing it. */
    private void check(PointerByReference errorRef, String action) throws CredentialException {
        GError error = take(errorRef);
        if (error != null) {
            throw LibsecretErrors.classify(action, error.domain(), error.code(), error.message(), timeout.toSeconds());
        }
    }

    /** A GError as Java data. */
    private record GError(String domain, int code, String message) {
        boolean isCancellation() {
            return domain != null && domain.startsWith("g-io-error") && code == LibsecretErrors.G_IO_ERROR_CANCELLED;
        }
    }

    /** The GError set by a call, copied out and freed; null when none was set. */
    private GError take(PointerByReference errorRef) {
        Pointer error = errorRef.getValue();
        if (error == null) {
            return null;
        }
        try {
            String domain = lib.glib.g_quark_to_string(error.getInt(GLibraries.GERROR_DOMAIN_OFFSET));
            int code = error.getInt(GLibraries.GERROR_CODE_OFFSET);
            Pointer text = error.getPointer(GLibraries.GERROR_MESSAGE_OFFSET);
            return new GError(domain, code, text == null ? "" : text.getString(0, "UTF-8"));
        } finally {
            lib.glib.g_error_free(error);
        }
    }

    private void cancel() {
        synchronized (cancelGuard) {
            if (!finished) {
                lib.gio.g_cancellable_cancel(cancellable);
            }
        }
    }

    @Override
    public void close() {
        deadline.cancel(false);
        synchronized (cancelGuard) {
            finished = true;
        }
        if (service != null) {
            lib.gobject.g_object_unref(service);
            service = null;
        }
        if (connection != null) {
            PointerByReference error = new PointerByReference();
            lib.gio.g_dbus_connection_close_sync(connection, null, error);
            if (error.getValue() != null) {
                // Already closed by the other side: nothing left to release but the error itself.
                lib.glib.g_error_free(error.getValue());
            }
            lib.gobject.g_object_unref(connection);
            connection = null;
        }
        lib.gobject.g_object_unref(cancellable);
    }

    static void clear(byte[] bytes) {
        if (bytes != null) {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
