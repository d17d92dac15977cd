package dev.nexus.services.catalog;

import dev.nexus.services.support.Quoted;
/** What a service is, which decides how it is kept running. */
public enum ServiceKind {
    /** A local long-running process (gateway, cloud). */
    DAEMON("daemon"),
    /** A command run on a schedule whose last result is kept (hub update check). */
    JOB("job"),
    /** A remote endpoint kept connected; no local process (collab, a remote gateway). */
    CONNECTION("connection");

    private final String id;

    ServiceKind(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    public static ServiceKind fromId(String id) {
        for (ServiceKind k : values()) {
            if (k.id.equals(id)) {
                return k;
            }
        }
        throw new IllegalArgumentException("unknown kind " + Quoted.of(id) + " (expected daemon, job or connection)");
    }
}
