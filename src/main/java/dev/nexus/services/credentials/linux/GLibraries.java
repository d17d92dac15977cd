package dev.nexus.services.credentials.linux;

import com.sun.jna.Function;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.NativeLongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.List;
import java.util.Map;

/**
 * The GLib, GObject, GIO and libsecret calls the libsecret store makes, bound through JNA. Loaded on
 * first use of {@link #get()} only, which happens only on Linux after the bus address was checked.
 *
 * <p>Only the run-time sonames (libsecret-1.so.0, ...) are guaranteed on a desktop or server without
 * development packages, so those are tried first, then the plain names.
 */
final class GLibraries {
    private static final Map<String, Object> OPTIONS = Map.of(Library.OPTION_STRING_ENCODING, "UTF-8");

    final GLib glib;
    final GObject gobject;
    final Gio gio;
    final Secret secret;
    /** {@code g_str_hash} / {@code g_str_equal}: what a GHashTable of string keys needs. */
    final Pointer strHash;
    final Pointer strEqual;

    private GLibraries() {
        NativeLibrary glibLibrary = library("libglib-2.0.so.0", "glib-2.0");
        this.glib = Native.load(glibLibrary.getName(), GLib.class, OPTIONS);
        this.gobject = Native.load(library("libgobject-2.0.so.0", "gobject-2.0").getName(), GObject.class, OPTIONS);
        this.gio = Native.load(library("libgio-2.0.so.0", "gio-2.0").getName(), Gio.class, OPTIONS);
        this.secret = Native.load(library("libsecret-1.so.0", "secret-1").getName(), Secret.class, OPTIONS);
        Function hash = glibLibrary.getFunction("g_str_hash");
        Function equal = glibLibrary.getFunction("g_str_equal");
        this.strHash = hash;
        this.strEqual = equal;
    }

    /** The loaded libraries; throws {@link UnsatisfiedLinkError} when libsecret or GLib is missing. */
    static GLibraries get() {
        return Holder.INSTANCE;
    }

    private static final class Holder {
        static final GLibraries INSTANCE = new GLibraries();
    }

    private static NativeLibrary library(String soname, String plainName) {
        try {
            return NativeLibrary.getInstance(soname, OPTIONS);
        } catch (UnsatisfiedLinkError first) {
            try {
                return NativeLibrary.getInstance(plainName, OPTIONS);
            } catch (UnsatisfiedLinkError second) {
                first.addSuppressed(second);
                throw first;
            }
        }
    }

    /** The layout of GError: {@code GQuark domain; gint code; gchar *message;}. */
    static final int GERROR_DOMAIN_OFFSET = 0;
    static final int GERROR_CODE_OFFSET = 4;
    static final int GERROR_MESSAGE_OFFSET = 8;

    interface GLib extends Library {
        void g_error_free(Pointer error);

        void g_free(Pointer memory);

        String g_quark_to_string(int quark);

        Pointer g_hash_table_new(Pointer hashFunc, Pointer keyEqualFunc);

        int g_hash_table_insert(Pointer table, Pointer key, Pointer value);

        void g_hash_table_unref(Pointer table);

        Pointer g_variant_new_string(String value);

        Pointer g_variant_new_tuple(Pointer[] children, NativeLong count);

        Pointer g_variant_get_child_value(Pointer value, NativeLong index);

        int g_variant_get_boolean(Pointer value);

        void g_variant_unref(Pointer value);
    }

    interface GObject extends Library {
        void g_object_unref(Pointer object);
    }

    interface Gio extends Library {
        int G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT = 1;
        int G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION = 1 << 3;
        int G_DBUS_CALL_FLAGS_NO_AUTO_START = 1;

        Pointer g_dbus_connection_new_for_address_sync(String address, int flags, Pointer observer,
                                                       Pointer cancellable, PointerByReference error);

        Pointer g_dbus_connection_call_sync(Pointer connection, String busName, String objectPath,
                                            String interfaceName, String methodName, Pointer parameters,
                                            Pointer replyType, int flags, int timeoutMillis,
                                            Pointer cancellable, PointerByReference error);

        int g_dbus_connection_close_sync(Pointer connection, Pointer cancellable, PointerByReference error);

        /** Transfer none. */
        String g_dbus_connection_get_guid(Pointer connection);

        void g_dbus_connection_set_exit_on_close(Pointer connection, int exitOnClose);

        /** Transfer none. */
        Pointer g_dbus_proxy_get_connection(Pointer proxy);

        Pointer g_cancellable_new();

        void g_cancellable_cancel(Pointer cancellable);
    }

    interface Secret extends Library {
        int SECRET_SERVICE_OPEN_SESSION = 1 << 1;
        int SECRET_COLLECTION_NONE = 0;
        int SECRET_SCHEMA_NONE = 0;
        int SECRET_SCHEMA_ATTRIBUTE_STRING = 0;

        NativeLong secret_service_get_type();

        /** A new (uncached) proxy on GLib's session bus of this process; service_bus_name NULL means the default. */
        Pointer secret_service_open_sync(NativeLong serviceGtype, String serviceBusName, int flags,
                                         Pointer cancellable, PointerByReference error);

        int secret_service_store_sync(Pointer service, SecretSchema schema, Pointer attributes, String collection,
                                      String label, Pointer value, Pointer cancellable, PointerByReference error);

        Pointer secret_service_lookup_sync(Pointer service, SecretSchema schema, Pointer attributes,
                                           Pointer cancellable, PointerByReference error);

        int secret_service_clear_sync(Pointer service, SecretSchema schema, Pointer attributes,
                                      Pointer cancellable, PointerByReference error);

        Pointer secret_value_new(Pointer secret, NativeLong length, String contentType);

        Pointer secret_value_get(Pointer value, NativeLongByReference length);

        void secret_value_unref(Pointer value);

        Pointer secret_collection_for_alias_sync(Pointer service, String alias, int flags,
                                                 Pointer cancellable, PointerByReference error);

        int secret_collection_get_locked(Pointer collection);

        /** Transfer full: free with g_free. */
        Pointer secret_collection_get_label(Pointer collection);
    }

    /** {@code SecretSchemaAttribute}: a name and a type. */
    @Structure.FieldOrder({"name", "type"})
    public static class SchemaAttribute extends Structure {
        public String name;
        public int type;
    }

    /**
     * {@code SecretSchema}: a name, flags, 32 inline attributes (unused ones zero), then reserved
     * fields that must be zero.
     */
    @Structure.FieldOrder({"name", "flags", "attributes", "reserved",
        "reserved1", "reserved2", "reserved3", "reserved4", "reserved5", "reserved6", "reserved7"})
    public static class SecretSchema extends Structure {
        public String name;
        public int flags;
        public SchemaAttribute[] attributes = (SchemaAttribute[]) new SchemaAttribute().toArray(32);
        public int reserved;
        public Pointer reserved1;
        public Pointer reserved2;
        public Pointer reserved3;
        public Pointer reserved4;
        public Pointer reserved5;
        public Pointer reserved6;
        public Pointer reserved7;

        SecretSchema(String name, List<String> stringAttributes) {
            super();
            this.name = name;
            this.flags = Secret.SECRET_SCHEMA_NONE;
            for (int i = 0; i < stringAttributes.size(); i++) {
                attributes[i].name = stringAttributes.get(i);
                attributes[i].type = Secret.SECRET_SCHEMA_ATTRIBUTE_STRING;
            }
            write();
        }
    }
}
