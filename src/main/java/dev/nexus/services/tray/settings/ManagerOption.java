package dev.nexus.services.tray.settings;

import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ServiceKind;
import java.util.Arrays;
import java.util.List;

/**
 * The managers a daemon's manager column can name. Which of them can be picked depends on the machine: the
 * engine says which are usable here ({@link ManagerChoice#fromEngine}).
 */
public enum ManagerOption {
    AUTO(ManagerKind.AUTO, "Auto", "the engine picks the best manager usable here"),
    EMBEDDED(ManagerKind.EMBEDDED, "Embedded",
            "the engine runs the process itself; it runs while the engine does and comes back with it"),
    LAUNCHD(ManagerKind.LAUNCHD, "launchd",
            "a LaunchAgent keeps it running, also while the engine is not, and starts it at login"),
    SYSTEMD(ManagerKind.SYSTEMD, "systemd",
            "a systemd user unit keeps it running, also while the engine is not, and starts it at login"),
    WINDOWS_TASK(ManagerKind.WINDOWS_TASK, "Windows task",
            "a Task Scheduler task keeps it running, also while the engine is not, and starts it at logon");

    private final ManagerKind kind;
    private final String label;
    private final String description;

    ManagerOption(ManagerKind kind, String label, String description) {
        this.kind = kind;
        this.label = label;
        this.description = description;
    }

    public ManagerKind kind() {
        return kind;
    }

    public String label() {
        return label;
    }

    /** What picking it means, when it can be picked. */
    public String description() {
        return description;
    }

    /** True for launchd, systemd and Windows tasks: only the engine can tell whether they are usable here. */
    public boolean osManager() {
        return this != AUTO && this != EMBEDDED;
    }

    public static ManagerOption of(ManagerKind kind) {
        return Arrays.stream(values()).filter(o -> o.kind == kind).findFirst().orElseThrow();
    }

    public static ManagerOption ofId(String id) {
        return of(ManagerKind.fromId(id));
    }

    public static List<ManagerOption> all() {
        return List.of(values());
    }

    /** A connection runs no local process, so nothing manages one. */
    public static boolean appliesTo(ServiceKind kind) {
        return kind != ServiceKind.CONNECTION;
    }
}
