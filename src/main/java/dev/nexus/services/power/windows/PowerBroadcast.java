package dev.nexus.services.power.windows;

import java.util.Locale;

/**
 * The power broadcast types (WM_POWERBROADCAST / PBT_*) Windows passes to a suspend/resume callback,
 * and what each means for the sleep/wake source. Pure, so it is tested everywhere.
 *
 * <p>On a resume Windows sends PBT_APMRESUMEAUTOMATIC always and PBT_APMRESUMESUSPEND as well when a
 * user is present, so one wake often arrives twice; the monitor makes it one.
 */
public final class PowerBroadcast {
    public static final int PBT_APMSUSPEND = 0x4;
    public static final int PBT_APMRESUMESUSPEND = 0x7;
    public static final int PBT_APMPOWERSTATUSCHANGE = 0xA;
    public static final int PBT_APMRESUMEAUTOMATIC = 0x12;
    public static final int PBT_POWERSETTINGCHANGE = 0x8013;

    public enum Action { SLEEP, WAKE, NONE }

    private PowerBroadcast() {
    }

    public static Action actionFor(int type) {
        return switch (type) {
            case PBT_APMSUSPEND -> Action.SLEEP;
            case PBT_APMRESUMEAUTOMATIC, PBT_APMRESUMESUSPEND -> Action.WAKE;
            default -> Action.NONE;
        };
    }

    public static String name(int type) {
        return switch (type) {
            case PBT_APMSUSPEND -> "PBT_APMSUSPEND";
            case PBT_APMRESUMESUSPEND -> "PBT_APMRESUMESUSPEND";
            case PBT_APMPOWERSTATUSCHANGE -> "PBT_APMPOWERSTATUSCHANGE";
            case PBT_APMRESUMEAUTOMATIC -> "PBT_APMRESUMEAUTOMATIC";
            case PBT_POWERSETTINGCHANGE -> "PBT_POWERSETTINGCHANGE";
            default -> String.format(Locale.ROOT, "0x%X", type);
        };
    }
}
