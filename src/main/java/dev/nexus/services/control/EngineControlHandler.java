package dev.nexus.services.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Credentials;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.credentials.use.CredentialListing;
import dev.nexus.services.credentials.use.SystemSecrets;
import dev.nexus.services.engine.Engine;
import dev.nexus.services.engine.EngineEvent;
import dev.nexus.services.engine.EngineSnapshot;
import dev.nexus.services.engine.CommandRefusedException;
import dev.nexus.services.logs.LogTail;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.Quoted;
import dev.nexus.services.support.Version;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Maps control API operations onto the engine (docs/CONTROL_API.md lists them). Runs on the
 * connection's own thread, so a long stop blocks only the client that asked for it.
 */
public final class EngineControlHandler implements ControlHandler {
    /** Longest a command waits: a dependency chain of slow stops can take minutes. */
    public static final Duration COMMAND_TIMEOUT = Duration.ofMinutes(10);
    public static final int MAX_LOG_LINES = 10_000;

    private final Engine engine;
    private final Runnable shutdown;

    /** @param shutdown asks the daemon to exit (after this reply is sent) */
    public EngineControlHandler(Engine engine, Runnable shutdown) {
        this.engine = engine;
        this.shutdown = shutdown;
    }

    @Override
    public JsonNode handle(String op, JsonNode args, ControlSession session) throws ControlException {
        try {
            return dispatch(op, args, session);
        } catch (CommandRefusedException e) {
            throw new ControlException(e.code(), e.getMessage());
        }
    }

    private JsonNode dispatch(String op, JsonNode args, ControlSession session) throws ControlException {
        return switch (op) {
            case "hello" -> hello();
            case "snapshot" -> toJson(engine.snapshot());
            case "start" -> toJson(await(engine.start(services(args, true))));
            case "stop" -> toJson(await(engine.stop(services(args, true))));
            case "restart" -> toJson(await(engine.restart(services(args, true))));
            case "up" -> toJson(await(engine.up()));
            case "down" -> toJson(await(engine.down()));
            case "reload" -> toJson(await(engine.reload()));
            case "probe" -> {
                await(engine.probeAll());
                yield Json.MAPPER.createObjectNode();
            }
            case "logs" -> logs(args);
            case "credentials" -> credentials();
            case "credential" -> credential(args);
            case "subscribe" -> subscribe(session);
            case "shutdown" -> {
                // Reply first; the daemon exits once the reply is on its way.
                CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(shutdown);
                yield Json.MAPPER.createObjectNode().put("stopping", true);
            }
            default -> throw new ControlException("unknown_op", "unknown operation " + Quoted.of(op)
                    + " (known: hello, snapshot, start, stop, restart, up, down, reload, probe, logs, credentials, "
                    + "credential, subscribe, shutdown)");
        };
    }

    private ObjectNode hello() {
        ObjectNode n = Json.MAPPER.createObjectNode();
        n.put("version", Version.current());
        n.put("protocol", ControlProtocol.VERSION);
        n.put("pid", ProcessHandle.current().pid());
        return n;
    }

    /** "services": ["a","b"] or "all": true; an empty list is refused so that nothing happens by accident. */
    private List<String> services(JsonNode args, boolean required) throws ControlException {
        if (args.path("all").asBoolean(false)) {
            return engine.catalog().services().stream()
                    .filter(ServiceSpec::enabled).map(ServiceSpec::name).toList();
        }
        JsonNode list = args.get("services");
        if (list == null || !list.isArray() || (required && list.isEmpty())) {
            throw new ControlException("bad_request", "name the services: \"services\": [\"gateway\", ...] "
                    + "or \"all\": true");
        }
        List<String> names = new ArrayList<>();
        for (JsonNode n : list) {
            if (!n.isTextual()) {
                throw new ControlException("bad_request", "\"services\" must be an array of names");
            }
            names.add(n.asText());
        }
        return names;
    }

    private JsonNode logs(JsonNode args) throws ControlException {
        String name = args.path("service").asText("");
        ServiceSpec spec = engine.catalog().find(name).orElseThrow(() ->
                new ControlException("unknown_service", "unknown service " + Quoted.of(name)));
        if (spec.log() == null) {
            throw new ControlException("bad_request", name + " has no log files (it is a " + spec.kind().id() + ")");
        }
        int lines = args.path("lines").asInt(100);
        if (lines < 0 || lines > MAX_LOG_LINES) {
            throw new ControlException("bad_request", "\"lines\" must be between 0 and " + MAX_LOG_LINES);
        }
        Path file = args.path("stderr").asBoolean(false) ? spec.log().stderr() : spec.log().stdout();
        ObjectNode result = Json.MAPPER.createObjectNode();
        result.put("file", file.toString());
        ArrayNode out = result.putArray("lines");
        try {
            LogTail.lastLines(file, lines).forEach(out::add);
        } catch (IOException e) {
            throw new ControlException("io_error", "cannot read " + file + ": " + e.getMessage());
        }
        return result;
    }

    /** Every stored or referenced credential: name, backend, dates, who uses it. Never a value. */
    private JsonNode credentials() throws ControlException {
        Credentials credentials = credentialFacade();
        ObjectNode result = Json.MAPPER.createObjectNode();
        try {
            result.put("backend", credentials.active().id());
            result.put("where", credentials.whereExplanation());
            ArrayNode list = result.putArray("credentials");
            for (CredentialListing.Row row : CredentialListing.rows(credentials.list(), engine.catalog())) {
                ObjectNode item = list.addObject();
                item.put("name", row.name().toString());
                item.put("stored", row.stored());
                item.put("backend", row.backend());
                item.put("created", row.created() == null ? null : row.created().toString());
                item.put("updated", row.updated() == null ? null : row.updated().toString());
                row.usedBy().forEach(item.putArray("usedBy")::add);
            }
        } catch (CredentialException e) {
            throw credentialError(e);
        }
        return result;
    }

    /** One credential, masked; its value only with {@code "reveal": true}. */
    private JsonNode credential(JsonNode args) throws ControlException {
        CredentialName name;
        try {
            name = CredentialName.parse(args.path("name").asText(null));
        } catch (IllegalArgumentException e) {
            throw new ControlException("bad_request", e.getMessage());
        }
        boolean reveal = args.path("reveal").asBoolean(false);
        Optional<Secret> secret;
        try {
            secret = credentialFacade().get(name);
        } catch (CredentialException e) {
            throw credentialError(e);
        }
        ObjectNode result = Json.MAPPER.createObjectNode();
        result.put("name", name.toString());
        result.put("set", secret.isPresent());
        secret.ifPresent(s -> result.put("value", reveal ? s.reveal() : s.masked(false)));
        result.put("revealed", reveal && secret.isPresent());
        return result;
    }

    private Credentials credentialFacade() throws ControlException {
        if (engine.options().secrets() instanceof SystemSecrets system) {
            return system.credentials();
        }
        throw new ControlException("unavailable", "this engine runs with a secret source of its own, not the "
                + "credential store");
    }

    private static ControlException credentialError(CredentialException e) {
        return new ControlException("credentials_" + e.reason().name().toLowerCase(Locale.ROOT),
                e.getMessage());
    }

    private JsonNode subscribe(ControlSession session) throws ControlException {
        Consumer<EngineEvent> listener = event -> session.sendEvent(event.type(),
                Json.MAPPER.valueToTree(event.service() != null ? event.service() : event.engine()));
        EngineSnapshot initial = await(engine.subscribe(listener));
        session.onClose(() -> engine.unsubscribe(listener));
        return toJson(initial);
    }

    private static JsonNode toJson(Object value) {
        return Json.MAPPER.valueToTree(value);
    }

    private static <T> T await(CompletableFuture<T> future) throws ControlException {
        try {
            return future.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof CommandRefusedException r) {
                throw new ControlException(r.code(), r.getMessage());
            }
            throw new IllegalStateException("command failed", e.getCause());
        } catch (TimeoutException e) {
            throw new ControlException("timeout", "the engine did not finish within "
                    + COMMAND_TIMEOUT.toMinutes() + " minutes; see nexus-services status");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ControlException("interrupted", "interrupted");
        }
    }
}
