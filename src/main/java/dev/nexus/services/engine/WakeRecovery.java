package dev.nexus.services.engine;

import java.time.Instant;
import java.util.List;

/**
 * What the engine did after the last wake from sleep (DESIGN.md "Recovery after sleep/wake"), as
 * shown by {@code status} and the tray: which services it probed at once, which connections it made
 * reconnect, which waiting restarts it brought forward, and which daemons it had to restart because
 * their liveness still failed once the grace was over.
 *
 * @param sleptAt     when the sleep began (announced by the OS, or estimated from the clocks), or null
 * @param wokeAt      when the engine learned of the wake
 * @param source      which sleep/wake source reported it ("logind", "clock", ...)
 * @param graceUntil  end of the grace in which failures only show as "waking up"
 * @param graceOver   true once the grace has ended
 * @param probed      services whose probes ran at once
 * @param reconnected services whose long-lived connections were made to reconnect
 * @param retried     services that were waiting to restart and were started at once (backoff reset)
 * @param restarted   daemons restarted because the wake left them broken
 * @param summary     one line for people: "4 probed, 1 restarted (cloud: liveness failed after grace)"
 */
public record WakeRecovery(Instant sleptAt, Instant wokeAt, String source, Instant graceUntil, boolean graceOver,
                           List<String> probed, List<String> reconnected, List<String> retried,
                           List<Restart> restarted, String summary) {
    public WakeRecovery {
        probed = probed == null ? List.of() : List.copyOf(probed);
        reconnected = reconnected == null ? List.of() : List.copyOf(reconnected);
        retried = retried == null ? List.of() : List.copyOf(retried);
        restarted = restarted == null ? List.of() : List.copyOf(restarted);
    }

    /**
     * One restart the wake made necessary.
     *
     * @param reason short, for the summary ("liveness failed after grace")
     * @param detail the last probe's message ("connection refused"), or null
     */
    public record Restart(String service, String reason, String detail, Instant at) {
    }

    /** The summary line from the lists: what {@link #summary} holds. */
    static String summarize(List<String> probed, List<String> reconnected, List<String> retried,
                            List<Restart> restarted, boolean graceOver) {
        StringBuilder text = new StringBuilder(probed.size() + " probed");
        if (!reconnected.isEmpty()) {
            text.append(", ").append(reconnected.size()).append(" reconnected");
        }
        if (!retried.isEmpty()) {
            text.append(", ").append(retried.size()).append(" retried at once (").append(String.join(", ", retried))
                    .append(")");
        }
        if (!restarted.isEmpty()) {
            text.append(", ").append(restarted.size()).append(" restarted (");
            for (int i = 0; i < restarted.size(); i++) {
                text.append(i == 0 ? "" : "; ").append(restarted.get(i).service()).append(": ")
                        .append(restarted.get(i).reason());
            }
            text.append(')');
        } else if (graceOver) {
            text.append(", none restarted");
        }
        return text.toString();
    }
}
