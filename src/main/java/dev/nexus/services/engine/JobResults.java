package dev.nexus.services.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.health.ProbeResult;
import dev.nexus.services.support.AtomicFiles;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The last result of each job, kept in {@code state/jobs/<name>.json}. */
final class JobResults {
    private static final Logger LOG = LoggerFactory.getLogger(JobResults.class);
    private final NexusPaths paths;

    JobResults(NexusPaths paths) {
        this.paths = paths;
    }

    private Path file(String job) {
        return paths.state().resolve("jobs").resolve(job + ".json");
    }

    /** The last result, its {@code at} being when that run started; empty if it never ran. */
    Optional<ProbeResult> load(String job) {
        Path file = file(job);
        try {
            JsonNode n = Json.MAPPER.readTree(Files.readString(file));
            return Optional.of(new ProbeResult(ProbeResult.Outcome.valueOf(n.path("outcome").asText()),
                    Instant.parse(n.path("lastRunAt").asText()), Duration.ofMillis(n.path("latencyMs").asLong()),
                    n.path("message").asText(), n.hasNonNull("detail") ? n.get("detail") : null));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException | RuntimeException e) {
            LOG.warn("{}: ignoring unreadable last result {}: {}", job, file, e.getMessage());
            return Optional.empty();
        }
    }

    void save(String job, ProbeResult result) {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("lastRunAt", result.at().toString());
        n.put("outcome", result.outcome().name());
        n.put("latencyMs", result.latency().toMillis());
        n.put("message", result.message());
        n.set("detail", result.detail());
        try {
            AtomicFiles.write(file(job), Json.MAPPER.writeValueAsBytes(n));
        } catch (IOException e) {
            LOG.warn("{}: could not keep the last result in {}: {}", job, file(job), e.getMessage());
        }
    }
}
