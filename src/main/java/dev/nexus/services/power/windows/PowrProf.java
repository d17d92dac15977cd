package dev.nexus.services.power.windows;

import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.Structure;
import com.sun.jna.ptr.PointerByReference;
import com.sun.jna.win32.StdCallLibrary;

/**
 * powrprof.dll's suspend/resume notification, as the Windows source calls it. Loaded by
 * {@link #load()} only, which the source calls only on Windows.
 */
interface PowrProf extends StdCallLibrary {
    /** Recipient is a DEVICE_NOTIFY_SUBSCRIBE_PARAMETERS with a callback, not a window handle. */
    int DEVICE_NOTIFY_CALLBACK = 2;
    int ERROR_SUCCESS = 0;

    /** {@code ULONG CALLBACK DeviceNotifyCallbackRoutine(PVOID Context, ULONG Type, PVOID Setting)}. */
    interface DeviceNotifyCallback extends StdCallCallback {
        int invoke(Pointer context, int type, Pointer setting);
    }

    /** {@code DEVICE_NOTIFY_SUBSCRIBE_PARAMETERS { PDEVICE_NOTIFY_CALLBACK_ROUTINE Callback; PVOID Context; }}. */
    @Structure.FieldOrder({"callback", "context"})
    final class SubscribeParameters extends Structure {
        public DeviceNotifyCallback callback;
        public Pointer context;
    }

    int PowerRegisterSuspendResumeNotification(int flags, SubscribeParameters recipient, PointerByReference handle);

    int PowerUnregisterSuspendResumeNotification(Pointer handle);

    static PowrProf load() {
        return Native.load("powrprof", PowrProf.class);
    }
}
