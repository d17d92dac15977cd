package dev.nexus.services.support;

import java.util.HashMap;
import java.util.Map;

/**
 * What a process started by Nexus (the engine, a service) must not inherit from the launcher that started
 * Nexus: jpackage's native launchers mark the environment with {@value #JPACKAGE_MARK}, and any jpackage
 * launcher that inherits the mark behaves like plain {@code java} (an engine started from the packaged tray
 * died with "Could not find or load main class daemon").
 */
public final class InheritedEnvironment {
    public static final String JPACKAGE_MARK = "_JPACKAGE_LAUNCHER";

    private InheritedEnvironment() {
    }

    /** A copy of {@code env} without the launcher's marks. */
    public static Map<String, String> forChildren(Map<String, String> env) {
        Map<String, String> copy = new HashMap<>(env);
        clean(copy);
        return copy;
    }

    /** Removes the launcher's marks from a process builder's environment. */
    public static void clean(Map<String, String> environment) {
        environment.remove(JPACKAGE_MARK);
    }
}
