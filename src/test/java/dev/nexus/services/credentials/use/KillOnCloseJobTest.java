package dev.nexus.services.credentials.use;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Native;
import org.junit.jupiter.api.Test;

/**
 * The job object's limit structure must match Windows' JOBOBJECT_EXTENDED_LIMIT_INFORMATION byte for byte, or
 * SetInformationJobObject refuses it (or reads the flag from the wrong place). The layout rules JNA applies are
 * the same on 64-bit Linux, so it is checked here; nothing is called.
 */
class KillOnCloseJobTest {
    @Test
    void theLimitStructureHasWindowsX64Layout() {
        assumeTrue(Native.POINTER_SIZE == 8, "the figures below are for 64-bit");
        KillOnCloseJob.ExtendedLimits limits = new KillOnCloseJob.ExtendedLimits();
        assertEquals(144, limits.size(), "sizeof(JOBOBJECT_EXTENDED_LIMIT_INFORMATION) on x64");
        assertEquals(16, limits.offsetOf("limitFlags"));
        assertEquals(48, limits.offsetOf("affinity"));
        assertEquals(64, limits.offsetOf("ioInfo"));
        assertEquals(112, limits.offsetOf("processMemoryLimit"));
    }
}
