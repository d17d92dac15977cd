package dev.nexus.services.power;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nexus.services.power.macos.IoKitMessages;
import dev.nexus.services.power.windows.PowerBroadcast;
import org.junit.jupiter.api.Test;

/** What the macOS and Windows sources do with each OS message; pure, so it runs everywhere. */
class OsMessageMappingTest {
    @Test
    void ioKitMessagesAreTheValuesOfIoMessageH() {
        // iokit_common_msg(x) = sys_iokit (0x38 << 26) | sub_iokit_common (0) | x
        assertEquals(0xE0000000 | 0x270, IoKitMessages.CAN_SYSTEM_SLEEP);
        assertEquals((0x38 << 26) | 0x280, IoKitMessages.SYSTEM_WILL_SLEEP);
        assertEquals((0x38 << 26) | 0x290, IoKitMessages.SYSTEM_WILL_NOT_SLEEP);
        assertEquals((0x38 << 26) | 0x300, IoKitMessages.SYSTEM_HAS_POWERED_ON);
        assertEquals((0x38 << 26) | 0x320, IoKitMessages.SYSTEM_WILL_POWER_ON);
    }

    @Test
    void ioKitCanSleepIsAllowedAtOnceWillSleepAfterPreparingAndPoweredOnIsTheWake() {
        assertEquals(IoKitMessages.Action.ALLOW_AT_ONCE, IoKitMessages.actionFor(IoKitMessages.CAN_SYSTEM_SLEEP));
        assertEquals(IoKitMessages.Action.PREPARE_THEN_ALLOW, IoKitMessages.actionFor(IoKitMessages.SYSTEM_WILL_SLEEP));
        assertEquals(IoKitMessages.Action.WAKE, IoKitMessages.actionFor(IoKitMessages.SYSTEM_HAS_POWERED_ON));
        // Too early (devices still off) or nothing to answer.
        assertEquals(IoKitMessages.Action.NONE, IoKitMessages.actionFor(IoKitMessages.SYSTEM_WILL_POWER_ON));
        assertEquals(IoKitMessages.Action.NONE, IoKitMessages.actionFor(IoKitMessages.SYSTEM_WILL_NOT_SLEEP));
        assertEquals(IoKitMessages.Action.NONE, IoKitMessages.actionFor(0xE0000010)); // kIOMessageServiceIsTerminated
        assertEquals("kIOMessageSystemWillSleep", IoKitMessages.name(IoKitMessages.SYSTEM_WILL_SLEEP));
        assertEquals("0xE0000010", IoKitMessages.name(0xE0000010));
    }

    @Test
    void windowsSuspendIsTheSleepAndBothResumesAreTheWake() {
        assertEquals(4, PowerBroadcast.PBT_APMSUSPEND);
        assertEquals(0x12, PowerBroadcast.PBT_APMRESUMEAUTOMATIC);
        assertEquals(7, PowerBroadcast.PBT_APMRESUMESUSPEND);
        assertEquals(PowerBroadcast.Action.SLEEP, PowerBroadcast.actionFor(4));
        assertEquals(PowerBroadcast.Action.WAKE, PowerBroadcast.actionFor(0x12));
        assertEquals(PowerBroadcast.Action.WAKE, PowerBroadcast.actionFor(7));
        assertEquals(PowerBroadcast.Action.NONE, PowerBroadcast.actionFor(PowerBroadcast.PBT_APMPOWERSTATUSCHANGE));
        assertEquals(PowerBroadcast.Action.NONE, PowerBroadcast.actionFor(PowerBroadcast.PBT_POWERSETTINGCHANGE));
        assertEquals("PBT_APMRESUMEAUTOMATIC", PowerBroadcast.name(0x12));
    }
}
