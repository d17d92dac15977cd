package dev.nexus.services.supervise;

import java.time.Instant;

/**
 * How a child ended.
 *
 * @param code exit value as the JVM reports it (128+n after signal n on POSIX), or null when it is
 *             not knowable (an adopted process that is not our child)
 */
public record ExitStatus(Integer code, Instant at) {
    /** EX_CONFIG from sysexits.h: the service says its configuration is wrong; never restarted. */
    public static final int EX_CONFIG = 78;

    public boolean isSuccess() {
        return code != null && code == 0;
    }

    public String describe() {
        if (code == null) {
            return "exited (code unknown)";
        }
        if (code > 128 && code < 128 + 32) {
            String sig = switch (code - 128) {
                case 1 -> "SIGHUP";
                case 2 -> "SIGINT";
                case 6 -> "SIGABRT";
                case 9 -> "SIGKILL";
                case 11 -> "SIGSEGV";
                case 15 -> "SIGTERM";
                default -> "signal " + (code - 128);
            };
            return "exit " + code + " (" + sig + ")";
        }
        return "exit " + code;
    }
}
