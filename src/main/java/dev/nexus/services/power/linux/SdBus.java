package dev.nexus.services.power.linux;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.Map;

/**
 * The sd-bus calls (libsystemd, sd-bus(3)) the logind source makes. The non-variadic forms are used
 * throughout (append_basic, read_basic instead of sd_bus_call_method's format strings), so every
 * argument has a fixed C type. Every call returns a negative errno on failure. An sd_bus object is not
 * thread-safe: one thread makes all calls on it.
 */
interface SdBus extends Library {
    byte TYPE_STRING = 's';
    byte TYPE_BOOLEAN = 'b';
    byte TYPE_UNIX_FD = 'h';

    /** {@code sd_bus_message_handler_t}: returns 0 to let other handlers see the message too. */
    interface MessageHandler extends Callback {
        int invoke(Pointer message, Pointer userdata, Pointer error);
    }

    int sd_bus_open_system(PointerByReference bus);

    int sd_bus_new(PointerByReference bus);

    int sd_bus_set_address(Pointer bus, String address);

    int sd_bus_set_bus_client(Pointer bus, int isBusClient);

    int sd_bus_start(Pointer bus);

    Pointer sd_bus_flush_close_unref(Pointer bus);

    int sd_bus_get_unique_name(Pointer bus, PointerByReference name);

    int sd_bus_get_fd(Pointer bus);

    int sd_bus_get_events(Pointer bus);

    int sd_bus_get_timeout(Pointer bus, LongByReference usec);

    int sd_bus_process(Pointer bus, PointerByReference message);

    int sd_bus_add_match(Pointer bus, PointerByReference slot, String match, MessageHandler callback, Pointer userdata);

    int sd_bus_message_new_method_call(Pointer bus, PointerByReference message, String destination, String path,
                                       String iface, String member);

    /** For string types the value is the string itself. */
    int sd_bus_message_append_basic(Pointer message, byte type, String value);

    int sd_bus_call(Pointer bus, Pointer message, long timeoutUsec, Pointer error, PointerByReference reply);

    /** For 'b', 'i' and 'h': an int. The fd stays owned by the message. */
    int sd_bus_message_read_basic(Pointer message, byte type, IntByReference value);

    /** For string types: a pointer into the message, valid until it is unreferenced. */
    int sd_bus_message_read_basic(Pointer message, byte type, PointerByReference value);

    String sd_bus_message_get_sender(Pointer message);

    Pointer sd_bus_message_unref(Pointer message);

    void sd_bus_error_free(Pointer error);

    /** {@code sd_bus_error}: {@code const char *name; const char *message; int _need_free;}. */
    int ERROR_NAME_OFFSET = 0;
    int ERROR_MESSAGE_OFFSET = Native.POINTER_SIZE;
    int ERROR_SIZE = 3 * Native.POINTER_SIZE;

    /**
     * Loads libsystemd by the given name.
     *
     * @throws UnsatisfiedLinkError when it is not installed
     */
    static SdBus load(String library) {
        return Native.load(library, SdBus.class, Map.of(Library.OPTION_STRING_ENCODING, "UTF-8"));
    }
}
