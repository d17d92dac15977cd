package dev.nexus.services.power.macos;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.PointerByReference;

/**
 * IOKit and CoreFoundation as the IOKit sleep source calls them. Loaded by {@link #load()} only, which
 * {@link IoKitSleepSource} calls only on macOS. mach ports (io_connect_t, io_object_t) are 32-bit;
 * the notification id IOAllowPowerChange takes is pointer-sized, so it is passed as the very pointer
 * the callback got.
 */
final class IoKitNative {
    final IoKit ioKit;
    final CoreFoundation coreFoundation;
    /** {@code kCFRunLoopDefaultMode}, a CFStringRef global. */
    final Pointer defaultMode;

    private IoKitNative(IoKit ioKit, CoreFoundation coreFoundation, Pointer defaultMode) {
        this.ioKit = ioKit;
        this.coreFoundation = coreFoundation;
        this.defaultMode = defaultMode;
    }

    static IoKitNative load() {
        IoKit ioKit = Native.load("IOKit", IoKit.class);
        CoreFoundation cf = Native.load("CoreFoundation", CoreFoundation.class);
        Pointer mode = NativeLibrary.getInstance("CoreFoundation").getGlobalVariableAddress("kCFRunLoopDefaultMode")
                .getPointer(0);
        return new IoKitNative(ioKit, cf, mode);
    }

    /** {@code IOServiceInterestCallback(void *refcon, io_service_t service, natural_t type, void *argument)}. */
    interface InterestCallback extends Callback {
        void invoke(Pointer refcon, int service, int messageType, Pointer messageArgument);
    }

    interface IoKit extends Library {
        /** Returns the root power domain's connection, or 0 (MACH_PORT_NULL) on failure. */
        int IORegisterForSystemPower(Pointer refcon, PointerByReference notifyPort, InterestCallback callback,
                                     IntByReference notifier);

        int IOAllowPowerChange(int kernelPort, Pointer notificationId);

        int IODeregisterForSystemPower(IntByReference notifier);

        int IOServiceClose(int connection);

        Pointer IONotificationPortGetRunLoopSource(Pointer notifyPort);

        void IONotificationPortDestroy(Pointer notifyPort);
    }

    interface CoreFoundation extends Library {
        Pointer CFRunLoopGetCurrent();

        void CFRunLoopAddSource(Pointer runLoop, Pointer source, Pointer mode);

        /** Runs the current thread's loop for up to {@code seconds}; returns why it stopped. */
        int CFRunLoopRunInMode(Pointer mode, double seconds, byte returnAfterSourceHandled);

        void CFRunLoopStop(Pointer runLoop);
    }
}
