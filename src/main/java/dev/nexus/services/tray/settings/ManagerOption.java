package dev.nexus.services.tray.settings;

import dev.nexus.services.catalog.ManagerKind;
import dev.nexus.services.catalog.ServiceKind;
import java.util.Arrays;
import java.util.List;

/**
 * The choices of the Services tab's manager column. Only auto and embedded can be picked for now: launchd,
 * systemd and Windows logon tasks are listed (a file may already name one) but come with the OS integration.
 */
public enum ManagerOption {
    AUTO(ManagerKind.AUTO, "Auto", true, "the engine picks the manager (embedded for now)"),
    EMBEDDED(ManagerKind.EMBEDDED, "Embedded", true, "the engine runs the process itself"),
    LAUNCHD(ManagerKind.LAUNCHD, "launchd", false, ManagerOption.LATER),
    SYSTEMD(ManagerKind.SYSTEMD, "systemd", false, ManagerOption.LATER),
    WINDOWS_TASK(ManagerKind.WINDOWS_TASK, "Windows task", false, ManagerOption.LATER);

    private static final String LATER = "comes with OS integration";

    private final ManagerKind kind;
    private final String label;
    private final boolean selectable;
    private final String note;

    ManagerOption(ManagerKind kind, String label, boolean selectable, String note) {
        this.kind = kind;
        this.label = label;
        this.selectable = selectable;
        this.note = note;
    }

    public ManagerKind kind() {
        return kind;
    }

    public String label() {
        return label;
    }

    /** Whether the user can pick it now; the others are shown disabled with {@link #note()}. */
    public boolean selectable() {
        return selectable;
    }

    public String note() {
        return note;
    }

    /** How a choice reads in the list: the disabled ones say why. */
    public String text() {
        return selectable ? label : label + " (" + note + ")";
    }

    public static ManagerOption of(ManagerKind kind) {
        return Arrays.stream(values()).filter(o -> o.kind == kind).findFirst().orElseThrow();
    }

    public static List<ManagerOption> all() {
        return List.of(values());
    }

    /** A connection runs no local process, so nothing manages one. */
    public static boolean appliesTo(ServiceKind kind) {
        return kind != ServiceKind.CONNECTION;
    }
}
