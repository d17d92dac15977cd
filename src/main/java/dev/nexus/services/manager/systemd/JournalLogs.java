package dev.nexus.services.manager.systemd;

import java.util.ArrayList;
import java.util.List;

/**
 * Reading a systemd-managed service's output from the journal, for units that log there (systemd older
 * than 240, see {@link SystemdUnits#logsToJournal}). The journal keeps stdout and stderr as one stream.
 */
public final class JournalLogs {
    private JournalLogs() {
    }

    /** {@code journalctl --user -u nexus-<service>.service -n <lines> [-f] -o cat --no-pager}. */
    public static List<String> argv(String service, int lines, boolean follow) {
        return argvForUnit(SystemdUnits.unitName(service), lines, follow);
    }

    /** The same for any unit, e.g. {@link SystemdUnits#ENGINE_UNIT}. */
    public static List<String> argvForUnit(String unit, int lines, boolean follow) {
        if (lines < 0) {
            throw new IllegalArgumentException("the number of lines must be 0 or more, got " + lines);
        }
        List<String> argv = new ArrayList<>(List.of("journalctl", "--user", "-u", unit, "-n", Integer.toString(lines)));
        if (follow) {
            argv.add("-f");
        }
        // -o cat: the message only, as the log files hold it (no timestamp, host or process prefix).
        argv.addAll(List.of("-o", "cat", "--no-pager"));
        return List.copyOf(argv);
    }
}
