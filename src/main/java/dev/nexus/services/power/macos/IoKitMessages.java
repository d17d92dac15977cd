package dev.nexus.services.power.macos;

import java.util.Locale;

/**
 * What to do with each system power message IOKit sends after IORegisterForSystemPower (IOMessage.h:
 * {@code iokit_common_msg(x)} is {@code 0xE0000000 | x}). Pure, so it is tested everywhere; only
 * {@link IoKitSleepSource} on macOS acts on it.
 */
public final class IoKitMessages {
    /** "May the system sleep?" (idle sleep): answer at once; the sleep may still be vetoed by others. */
    public static final int CAN_SYSTEM_SLEEP = 0xE0000270;
    /** The system will sleep: prepare, then answer with IOAllowPowerChange (or it waits up to 30 s). */
    public static final int SYSTEM_WILL_SLEEP = 0xE0000280;
    /** Someone vetoed the idle sleep asked about with CAN_SYSTEM_SLEEP. */
    public static final int SYSTEM_WILL_NOT_SLEEP = 0xE0000290;
    /** The system has woken and devices are powered: the wake. */
    public static final int SYSTEM_HAS_POWERED_ON = 0xE0000300;
    /** Early in waking, before devices are up: too early to probe anything. */
    public static final int SYSTEM_WILL_POWER_ON = 0xE0000320;

    /** The source's answer to one message. */
    public enum Action {
        /** Call IOAllowPowerChange now; nothing to tell the listener. */
        ALLOW_AT_ONCE,
        /** Tell the listener the machine is about to sleep, then call IOAllowPowerChange. */
        PREPARE_THEN_ALLOW,
        /** Tell the listener the machine woke. */
        WAKE,
        /** Nothing to do. */
        NONE
    }

    private IoKitMessages() {
    }

    public static Action actionFor(int messageType) {
        return switch (messageType) {
            case CAN_SYSTEM_SLEEP -> Action.ALLOW_AT_ONCE;
            case SYSTEM_WILL_SLEEP -> Action.PREPARE_THEN_ALLOW;
            case SYSTEM_HAS_POWERED_ON -> Action.WAKE;
            default -> Action.NONE;
        };
    }

    /** For logs: "kIOMessageSystemWillSleep", or the hex value of an unknown message. */
    public static String name(int messageType) {
        return switch (messageType) {
            case CAN_SYSTEM_SLEEP -> "kIOMessageCanSystemSleep";
            case SYSTEM_WILL_SLEEP -> "kIOMessageSystemWillSleep";
            case SYSTEM_WILL_NOT_SLEEP -> "kIOMessageSystemWillNotSleep";
            case SYSTEM_HAS_POWERED_ON -> "kIOMessageSystemHasPoweredOn";
            case SYSTEM_WILL_POWER_ON -> "kIOMessageSystemWillPowerOn";
            default -> String.format(Locale.ROOT, "0x%08X", messageType);
        };
    }
}
