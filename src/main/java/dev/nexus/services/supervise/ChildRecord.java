package dev.nexus.services.supervise;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;

/**
 * What the engine writes to {@code run/children/<service>.json} about a child it started, so that the
 * next engine can prove a live pid is that child before taking it over.
 *
 * @param startedAt     the process start instant as the JDK reports it (ISO-8601)
 * @param startTicks    Linux only: field 22 of /proc/pid/stat (clock ticks since boot). Exact and,
 *                      unlike the instant, immune to wall-clock steps and boot-time jitter.
 * @param command       the command as requested (what a later request must still ask for)
 * @param executable    the absolute program path that was executed
 * @param processGroup  true when the child leads its own process group (pgid == pid)
 * @param launchedAt    when the engine launched it (ISO-8601)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ChildRecord(String service, long pid, String startedAt, Long startTicks, List<String> command,
                   String executable, String stdoutFifo, String stderrFifo, boolean processGroup,
                   String launchedAt) {
    ChildRecord {
        command = command == null ? List.of() : List.copyOf(command);
    }

    @JsonIgnore
    Instant startInstant() {
        return startedAt == null ? null : Instant.parse(startedAt);
    }
}
