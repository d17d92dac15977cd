package dev.nexus.services.tray.model;

import java.util.List;

/** One line of the tray menu. */
public sealed interface MenuEntry {
    record Item(String label, boolean enabled, MenuAction action) implements MenuEntry {
    }

    /** A service: checked while it runs; choosing it starts or stops it ({@code action} says which). */
    record Check(String label, boolean checked, boolean enabled, MenuAction action) implements MenuEntry {
    }

    record Separator() implements MenuEntry {
    }

    record Submenu(String label, boolean enabled, List<MenuEntry> entries) implements MenuEntry {
        public Submenu {
            entries = List.copyOf(entries);
        }
    }

    /** True when two entries need the same kind of widget, so one can be updated into the other in place. */
    static boolean sameShape(MenuEntry a, MenuEntry b) {
        if (a.getClass() != b.getClass()) {
            return false;
        }
        if (a instanceof Submenu sa && b instanceof Submenu sb) {
            if (sa.entries().size() != sb.entries().size()) {
                return false;
            }
            for (int i = 0; i < sa.entries().size(); i++) {
                if (!sameShape(sa.entries().get(i), sb.entries().get(i))) {
                    return false;
                }
            }
        }
        return true;
    }
}
