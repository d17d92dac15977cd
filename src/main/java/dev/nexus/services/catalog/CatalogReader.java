package dev.nexus.services.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.catalog.CatalogFormat.Role;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.support.Durations;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import dev.nexus.services.support.Quoted;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import static dev.nexus.services.catalog.JsonText.child;

/**
 * Turns a parsed catalog tree into a {@link Catalog}, collecting every problem in one pass instead of
 * stopping at the first: a user fixing a file wants the whole list. A field with a bad value is reported
 * and then treated as absent, so that checks depending on it stay quiet rather than pile up echoes.
 */
final class CatalogReader {
    private static final String CREDENTIAL_PREFIX = "credential:";
    private static final String ONE_PASSWORD_PREFIX = "op://";

    /** Per-service results are kept even when another service is broken: writing merges by them. */
    record Result(Catalog catalog, List<ServiceSpec> servicesByIndex, List<CatalogProblem> errors,
                  List<CatalogProblem> warnings) {
    }

    /** What the cross-service checks need from one service entry. */
    private record Entry(int index, String name, String namePointer, List<Dependency> dependsOn) {
    }

    private record Dependency(String name, String pointer) {
    }

    private final NexusPaths paths;
    private final String source;
    private final JsonText.Locations locations;
    private final List<CatalogProblem> errors = new ArrayList<>();
    private final List<CatalogProblem> warnings = new ArrayList<>();
    /** The url of the connection being read, for gateway probes that leave theirs out; else null. */
    private URI serviceUrl;

    CatalogReader(NexusPaths paths, String source, JsonText.Locations locations) {
        this.paths = paths;
        this.source = source;
        this.locations = locations;
    }

    Result read(JsonNode root) {
        List<ServiceSpec> specs = new ArrayList<>();
        if (!root.isObject()) {
            error("", "the catalog must be a JSON object such as {\"version\": 1, \"services\": []}, got "
                    + describe(root));
            return result(specs);
        }
        ObjectNode object = (ObjectNode) root;
        warnUnknown(object, "", CatalogFormat.ROOT_FIELDS);
        if (!readVersion(object)) {
            return result(specs);
        }
        JsonNode services = value(object, "services");
        if (services == null) {
            error("/services", "services is required: a list of services such as [{\"name\": \"gateway\", ...}]");
            return result(specs);
        }
        if (!services.isArray()) {
            error("/services", "services must be an array, got " + describe(services));
            return result(specs);
        }
        List<Entry> entries = new ArrayList<>();
        for (int i = 0; i < services.size(); i++) {
            specs.add(readService(services.get(i), child("/services", i), i, entries));
        }
        checkNames(entries);
        checkDependencies(entries);
        return result(specs);
    }

    private Result result(List<ServiceSpec> specs) {
        errors.sort(CatalogProblem.BY_POSITION);
        warnings.sort(CatalogProblem.BY_POSITION);
        Catalog catalog = errors.isEmpty() ? new Catalog(Catalog.CURRENT_VERSION, specs) : null;
        return new Result(catalog, Collections.unmodifiableList(new ArrayList<>(specs)),
                List.copyOf(errors), List.copyOf(warnings));
    }

    /** False when the rest of the file is in a format this version cannot judge. */
    private boolean readVersion(ObjectNode root) {
        JsonNode version = value(root, "version");
        if (version == null) {
            error("/version", "version is required: add \"version\": " + Catalog.CURRENT_VERSION);
            return true;
        }
        if (!version.isNumber()) {
            error("/version", "version must be a number, got " + describe(version));
            return true;
        }
        if (version.canConvertToExactIntegral() && version.canConvertToLong()
                && version.asLong() > Catalog.CURRENT_VERSION) {
            error("/version", "this file was written by a newer Nexus Services (catalog version "
                    + version.asText() + "); this one reads version " + Catalog.CURRENT_VERSION
                    + ". Update Nexus Services to use it");
            return false;
        }
        if (!version.canConvertToExactIntegral() || version.asLong() != Catalog.CURRENT_VERSION) {
            error("/version", "must be " + Catalog.CURRENT_VERSION + ", got " + describe(version));
        }
        return true;
    }

    private ServiceSpec readService(JsonNode node, String ptr, int index, List<Entry> entries) {
        if (!node.isObject()) {
            error(ptr, "each service must be an object such as {\"name\": \"gateway\", ...}, got " + describe(node));
            return null;
        }
        int errorsBefore = errors.size();
        ObjectNode o = (ObjectNode) node;
        warnUnknown(o, ptr, CatalogFormat.SERVICE_FIELDS);

        String name = requiredName(o, ptr, "service");
        String displayName = string(o, "displayName", ptr);
        ServiceKind kind = ServiceKind.DAEMON;
        String kindText = string(o, "kind", ptr);
        if (kindText != null) {
            try {
                kind = ServiceKind.fromId(kindText);
            } catch (IllegalArgumentException e) {
                error(child(ptr, "kind"), e.getMessage());
                kind = null;
            }
        }
        Boolean enabled = bool(o, "enabled", ptr, true);

        List<String> command = List.of();
        if (kind == ServiceKind.CONNECTION) {
            if (value(o, "command") != null) {
                error(child(ptr, "command"), "a connection runs no local process, so it has no command; "
                        + "remove \"command\" or change \"kind\"");
            }
        } else if (value(o, "command") != null) {
            command = stringArray(o, "command", ptr, "[\"nexus\", \"cloud\"]");
        } else if (kind != null) {
            error(child(ptr, "command"), "command is required for a " + kind.id()
                    + ", e.g. \"command\": [\"nexus\", \"cloud\"]");
        }

        Path workingDir = path(o, "workingDir", ptr);
        Map<String, String> env = env(o, ptr);
        ManagerKind manager = ManagerKind.AUTO;
        String managerText = string(o, "manager", ptr);
        if (managerText != null) {
            try {
                manager = ManagerKind.fromId(managerText);
            } catch (IllegalArgumentException e) {
                error(child(ptr, "manager"), e.getMessage());
            }
        }
        List<Dependency> dependsOn = dependsOn(o, ptr);
        Integer port = integer(o, "port", ptr, null, 1, 65535);
        URI url = null;
        if (value(o, "url") != null) {
            if (kind == ServiceKind.CONNECTION) {
                url = url(o, "url", ptr, Set.of("ws", "wss", "http", "https"), "a ws://, wss://, http:// or https://");
            } else if (kind != null) {
                error(child(ptr, "url"), "only a connection has a url; this service is a " + kind.id());
            }
        } else if (kind == ServiceKind.CONNECTION && Boolean.TRUE.equals(enabled)) {
            error(child(ptr, "url"), "an enabled connection needs a url, e.g. \"url\": \"wss://collab.example/ws\" "
                    + "(or set \"enabled\": false)");
        }

        // A gateway probe in a connection may leave its url out: it then watches the connection's own url.
        serviceUrl = kind == ServiceKind.CONNECTION ? url : null;
        Probes probes = probes(o, ptr);
        RestartSpec restart = restart(o, ptr);
        Duration stopTimeout = duration(o, "stopTimeout", ptr, ServiceSpec.DEFAULT_STOP_TIMEOUT, true);
        LogSpec log = log(o, ptr, name);
        List<ChildSpec> children = children(o, ptr);
        serviceUrl = null;

        JobSpec job = null;
        if (value(o, "schedule") != null) {
            if (kind == ServiceKind.JOB) {
                job = schedule(o, ptr);
            } else if (kind != null) {
                error(child(ptr, "schedule"), "only a job has a schedule; this service is a " + kind.id());
            }
        } else if (kind == ServiceKind.JOB) {
            error(child(ptr, "schedule"), "a job needs a schedule, e.g. \"schedule\": {\"every\": \"6h\", "
                    + "\"timeout\": \"2m\"}");
        }

        entries.add(new Entry(index, name, child(ptr, "name"), dependsOn));
        if (errors.size() > errorsBefore) {
            return null;
        }
        return new ServiceSpec(name, displayName != null ? displayName : CatalogFormat.defaultDisplayName(name),
                kind, enabled, command, workingDir != null ? workingDir : paths.home(), env, manager,
                dependsOn.stream().map(Dependency::name).toList(), port, probes, restart, stopTimeout, log,
                children, job, url);
    }

    // ---- names and dependencies across services -------------------------------------------------------------

    private void checkNames(List<Entry> entries) {
        Map<String, Entry> first = new HashMap<>();
        for (Entry entry : entries) {
            if (entry.name() == null) {
                continue;
            }
            Entry earlier = first.putIfAbsent(entry.name(), entry);
            if (earlier != null) {
                error(entry.namePointer(), "duplicate service name \"" + entry.name() + "\"; it is already used "
                        + placeOf(earlier.namePointer()));
            }
        }
    }

    private void checkDependencies(List<Entry> entries) {
        Map<String, Entry> byName = new LinkedHashMap<>();
        for (Entry entry : entries) {
            if (entry.name() != null) {
                byName.putIfAbsent(entry.name(), entry);
            }
        }
        Map<String, List<Dependency>> graph = new LinkedHashMap<>();
        for (Entry entry : entries) {
            Set<String> seen = new HashSet<>();
            List<Dependency> edges = new ArrayList<>();
            for (Dependency dep : entry.dependsOn()) {
                if (dep.name().equals(entry.name())) {
                    error(dep.pointer(), "a service cannot depend on itself");
                } else if (!byName.containsKey(dep.name())) {
                    error(dep.pointer(), "unknown service " + Quoted.of(dep.name()) + "; the catalog has "
                            + (byName.isEmpty() ? "no services" : listed(byName.keySet())));
                } else if (!seen.add(dep.name())) {
                    error(dep.pointer(), Quoted.of(dep.name()) + " is listed twice");
                } else {
                    edges.add(dep);
                }
            }
            if (entry.name() != null && byName.get(entry.name()) == entry) {
                graph.put(entry.name(), edges);
            }
        }
        Map<String, Integer> state = new HashMap<>();
        for (String start : graph.keySet()) {
            if (!state.containsKey(start)) {
                findCycles(start, graph, state, new ArrayList<>());
            }
        }
    }

    private static final int VISITING = 1;
    private static final int DONE = 2;

    /** Depth-first search; every edge back onto the current path closes a cycle, reported at that edge. */
    private void findCycles(String service, Map<String, List<Dependency>> graph, Map<String, Integer> state,
                            List<String> path) {
        state.put(service, VISITING);
        path.add(service);
        for (Dependency dep : graph.getOrDefault(service, List.of())) {
            Integer seen = state.get(dep.name());
            if (seen == null) {
                findCycles(dep.name(), graph, state, path);
            } else if (seen == VISITING) {
                List<String> cycle = new ArrayList<>(path.subList(path.indexOf(dep.name()), path.size()));
                cycle.add(dep.name());
                error(dep.pointer(), "dependency cycle: " + String.join(" → ", cycle));
            }
        }
        path.remove(path.size() - 1);
        state.put(service, DONE);
    }

    // ---- nested objects -----------------------------------------------------------------------------------

    private Map<String, String> env(ObjectNode o, String ptr) {
        JsonNode node = value(o, "env");
        Map<String, String> env = new LinkedHashMap<>();
        if (node == null) {
            return env;
        }
        String envPtr = child(ptr, "env");
        if (!node.isObject()) {
            error(envPtr, "env must be an object such as {\"KEY\": \"value\"}, got " + describe(node));
            return env;
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            String keyPtr = child(envPtr, field.getKey());
            if (!CatalogFormat.ENV_NAME.matcher(field.getKey()).matches()) {
                error(keyPtr, Quoted.of(field.getKey()) + " is not a valid environment variable name "
                        + "(letters, digits and _, not starting with a digit)");
            } else if (!field.getValue().isTextual()) {
                error(keyPtr, "env values must be strings, got " + describe(field.getValue())
                        + (field.getValue().isValueNode() && !field.getValue().isNull()
                        ? " (write \"" + field.getValue().asText() + "\")" : ""));
            } else {
                env.put(field.getKey(), field.getValue().textValue());
            }
        }
        return env;
    }

    private List<Dependency> dependsOn(ObjectNode o, String ptr) {
        JsonNode node = value(o, "dependsOn");
        List<Dependency> deps = new ArrayList<>();
        if (node == null) {
            return deps;
        }
        String depPtr = child(ptr, "dependsOn");
        if (!node.isArray()) {
            error(depPtr, "dependsOn must be an array of service names, e.g. [\"gateway\"], got " + describe(node));
            return deps;
        }
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual() || item.textValue().isBlank()) {
                error(child(depPtr, i), "must be a service name, got " + describe(item));
            } else {
                deps.add(new Dependency(item.textValue(), child(depPtr, i)));
            }
        }
        return deps;
    }

    private Probes probes(ObjectNode o, String ptr) {
        JsonNode node = value(o, "probes");
        if (node == null) {
            return Probes.NONE;
        }
        String probesPtr = child(ptr, "probes");
        if (!node.isObject()) {
            error(probesPtr, "probes must be an object with startup, liveness and/or readiness, got "
                    + describe(node));
            return Probes.NONE;
        }
        ObjectNode probes = (ObjectNode) node;
        warnUnknown(probes, probesPtr, CatalogFormat.PROBES_FIELDS);
        ProbeSpec[] specs = new ProbeSpec[3];
        for (Role role : Role.values()) {
            JsonNode probe = value(probes, role.id());
            if (probe != null) {
                specs[role.ordinal()] = probe(probe, child(probesPtr, role.id()), role.id(), role);
            }
        }
        return new Probes(specs[0], specs[1], specs[2]);
    }

    private ProbeSpec probe(JsonNode node, String ptr, String what, Role role) {
        if (!node.isObject()) {
            error(ptr, what + " must be an object such as {\"type\": \"tcp\", \"port\": 18790}, got " + describe(node));
            return null;
        }
        ObjectNode o = (ObjectNode) node;
        warnUnknown(o, ptr, CatalogFormat.PROBE_FIELDS);
        String type = string(o, "type", ptr);
        if (type == null) {
            if (value(o, "type") == null) {
                error(child(ptr, "type"), "type is required: " + CatalogFormat.PROBE_TYPES);
            }
            return null;
        }
        Set<String> applicable = CatalogFormat.PROBE_TYPE_FIELDS.get(type);
        if (applicable == null) {
            error(child(ptr, "type"), "unknown probe type " + Quoted.of(type) + " (expected " + CatalogFormat.PROBE_TYPES + ")");
            return null;
        }
        for (String field : CatalogFormat.PROBE_TYPE_SPECIFIC_FIELDS) {
            if (o.has(field) && !applicable.contains(field)) {
                warn(child(ptr, field), field + " does not apply to a " + type + " probe; ignored");
            }
        }
        ProbeCheck check = switch (type) {
            case "process" -> new ProbeCheck.ProcessAlive();
            case "tcp" -> {
                String host = string(o, "host", ptr);
                if (host != null && host.isBlank()) {
                    error(child(ptr, "host"), "must not be empty");
                }
                Integer port = integer(o, "port", ptr, null, 1, 65535);
                if (port == null && value(o, "port") == null) {
                    error(child(ptr, "port"), "a tcp probe needs a port, e.g. \"port\": 18790");
                }
                yield port == null ? null : new ProbeCheck.Tcp(host != null ? host : CatalogFormat.DEFAULT_TCP_HOST, port);
            }
            case "http" -> {
                URI url = requiredUrl(o, ptr, Set.of("http", "https"), "an http:// or https://", "http://127.0.0.1:8080/healthz");
                yield url == null ? null : new ProbeCheck.Http(url);
            }
            case "websocket" -> {
                URI url = requiredUrl(o, ptr, Set.of("ws", "wss"), "a ws:// or wss://", "ws://127.0.0.1:18789/");
                yield url == null ? null : new ProbeCheck.WebSocket(url);
            }
            case "gateway" -> gateway(o, ptr);
            default -> {
                if (value(o, "command") == null) {
                    error(child(ptr, "command"), "an exec probe needs a command, e.g. \"command\": "
                            + "[\"nexus\", \"cloud\", \"status\", \"--json\"]");
                    yield null;
                }
                List<String> command = stringArray(o, "command", ptr, "[\"nexus\", \"cloud\", \"status\", \"--json\"]");
                yield command.isEmpty() ? null : new ProbeCheck.Exec(command);
            }
        };
        ProbeSpec defaults = role.defaults(check);
        Duration initialDelay = duration(o, "initialDelay", ptr, defaults.initialDelay(), false);
        Duration period = duration(o, "period", ptr, defaults.period(), true);
        Duration timeout = duration(o, "timeout", ptr, defaults.timeout(), true);
        Integer failureThreshold = integer(o, "failureThreshold", ptr, defaults.failureThreshold(), 1, Integer.MAX_VALUE);
        Integer successThreshold = integer(o, "successThreshold", ptr, defaults.successThreshold(), 1, Integer.MAX_VALUE);
        if (check == null || initialDelay == null || period == null || timeout == null || failureThreshold == null
                || successThreshold == null) {
            return null;
        }
        return new ProbeSpec(check, initialDelay, period, timeout, failureThreshold, successThreshold);
    }

    /** A gateway probe: url (or the connection's own), token reference, device identity. */
    private ProbeCheck gateway(ObjectNode o, String ptr) {
        URI url;
        if (value(o, "url") == null && serviceUrl != null) {
            String scheme = serviceUrl.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("ws") && !scheme.equals("wss")) {
                error(child(ptr, "url"), "a gateway probe needs a ws:// or wss:// url, and this connection's url is "
                        + scheme + "://; give the probe its own \"url\"");
                url = null;
            } else {
                url = serviceUrl;
            }
        } else {
            url = requiredUrl(o, ptr, Set.of("ws", "wss"), "a ws:// or wss://", "ws://127.0.0.1:18789/");
        }
        int errorsBefore = errors.size();
        String token = gatewayToken(o, ptr);
        Boolean device = bool(o, "device", ptr, false);
        if (url == null || device == null || errors.size() > errorsBefore) {
            return null;
        }
        return new ProbeCheck.Gateway(url, token, device);
    }

    /**
     * The token reference, or null when absent (the default credential). A literal token is refused without
     * echoing it: services.json is a plain file, and the value may be a real secret.
     */
    private String gatewayToken(ObjectNode o, String ptr) {
        String text = string(o, "token", ptr);
        if (text == null) {
            return null;
        }
        String fieldPtr = child(ptr, "token");
        String trimmed = text.trim();
        if (trimmed.isEmpty()) {
            error(fieldPtr, "must not be empty; leave \"token\" out to use the credential gateway/token");
            return null;
        }
        if (trimmed.startsWith(CREDENTIAL_PREFIX)) {
            try {
                CredentialName.parse(trimmed.substring(CREDENTIAL_PREFIX.length()).trim());
            } catch (IllegalArgumentException e) {
                error(fieldPtr, e.getMessage());
                return null;
            }
            return trimmed;
        }
        if (trimmed.startsWith(ONE_PASSWORD_PREFIX)) {
            String[] parts = trimmed.substring(ONE_PASSWORD_PREFIX.length()).split("/", -1);
            if (parts.length < 3 || java.util.Arrays.stream(parts).anyMatch(String::isBlank)) {
                error(fieldPtr, "invalid 1Password reference " + Quoted.of(trimmed)
                        + ": expected op://vault/item/field (or op://vault/item/section/field)");
                return null;
            }
            return trimmed;
        }
        error(fieldPtr, "token must say where the gateway token is kept, such as \"credential:gateway/token\" or "
                + "\"op://vault/item/field\", not the token itself: services.json is a plain file "
                + "(store it with \"nexus-services credential set gateway/token\")");
        return null;
    }

    private URI requiredUrl(ObjectNode o, String ptr, Set<String> schemes, String schemeText, String example) {
        if (value(o, "url") == null) {
            error(child(ptr, "url"), "url is required, e.g. \"url\": \"" + example + "\"");
            return null;
        }
        return url(o, "url", ptr, schemes, schemeText);
    }

    private RestartSpec restart(ObjectNode o, String ptr) {
        JsonNode node = value(o, "restart");
        RestartSpec d = RestartSpec.DEFAULT;
        if (node == null) {
            return d;
        }
        String rPtr = child(ptr, "restart");
        if (!node.isObject()) {
            error(rPtr, "restart must be an object such as {\"policy\": \"on-failure\"}, got " + describe(node));
            return d;
        }
        ObjectNode r = (ObjectNode) node;
        warnUnknown(r, rPtr, CatalogFormat.RESTART_FIELDS);
        RestartSpec.Mode mode = d.mode();
        String policy = string(r, "policy", rPtr);
        if (policy != null) {
            try {
                mode = RestartSpec.Mode.fromId(policy);
            } catch (IllegalArgumentException e) {
                error(child(rPtr, "policy"), e.getMessage());
            }
        }
        Duration initialDelay = duration(r, "initialDelay", rPtr, d.initialDelay(), false);
        Double multiplier = number(r, "multiplier", rPtr, d.multiplier(), 1, Double.MAX_VALUE);
        Duration maxDelay = duration(r, "maxDelay", rPtr, d.maxDelay(), true);
        Double jitter = number(r, "jitter", rPtr, d.jitter(), 0, 1);
        Duration resetAfter = duration(r, "resetAfter", rPtr, d.resetAfter(), false);
        if (initialDelay != null && maxDelay != null && maxDelay.compareTo(initialDelay) < 0) {
            error(child(rPtr, "maxDelay"), "must be at least initialDelay (" + Durations.format(initialDelay)
                    + "), got \"" + Durations.format(maxDelay) + "\"");
        }

        Integer runs = d.crashLoopRuns();
        Duration shortRun = d.shortRun();
        Duration window = d.crashLoopWindow();
        Duration loopMaxDelay = d.crashLoopMaxDelay();
        JsonNode loopNode = value(r, "crashLoop");
        if (loopNode != null) {
            String lPtr = child(rPtr, "crashLoop");
            if (!loopNode.isObject()) {
                error(lPtr, "crashLoop must be an object such as {\"runs\": 5, \"shorterThan\": \"10s\", "
                        + "\"within\": \"5m\"}, got " + describe(loopNode));
            } else {
                ObjectNode l = (ObjectNode) loopNode;
                warnUnknown(l, lPtr, CatalogFormat.CRASH_LOOP_FIELDS);
                runs = integer(l, "runs", lPtr, d.crashLoopRuns(), 1, Integer.MAX_VALUE);
                shortRun = duration(l, "shorterThan", lPtr, d.shortRun(), true);
                window = duration(l, "within", lPtr, d.crashLoopWindow(), true);
                loopMaxDelay = duration(l, "maxDelay", lPtr, d.crashLoopMaxDelay(), true);
                if (initialDelay != null && loopMaxDelay != null && loopMaxDelay.compareTo(initialDelay) < 0) {
                    error(child(lPtr, "maxDelay"), "must be at least initialDelay (" + Durations.format(initialDelay)
                            + "), got \"" + Durations.format(loopMaxDelay) + "\"");
                }
            }
        }
        return new RestartSpec(mode, or(initialDelay, d.initialDelay()), or(multiplier, d.multiplier()),
                or(maxDelay, d.maxDelay()), or(jitter, d.jitter()), or(resetAfter, d.resetAfter()),
                or(runs, d.crashLoopRuns()), or(shortRun, d.shortRun()), or(window, d.crashLoopWindow()),
                or(loopMaxDelay, d.crashLoopMaxDelay()));
    }

    private LogSpec log(ObjectNode o, String ptr, String service) {
        LogSpec d = CatalogFormat.defaultLog(paths, service == null ? "service" : service);
        JsonNode node = value(o, "log");
        if (node == null) {
            return d;
        }
        String lPtr = child(ptr, "log");
        if (!node.isObject()) {
            error(lPtr, "log must be an object such as {\"maxSize\": \"10MB\", \"keep\": 5}, got " + describe(node));
            return d;
        }
        ObjectNode l = (ObjectNode) node;
        warnUnknown(l, lPtr, CatalogFormat.LOG_FIELDS);
        Path file = path(l, "file", lPtr);
        Path errFile = path(l, "errFile", lPtr);
        Long maxSize = size(l, "maxSize", lPtr, d.maxBytes());
        Integer keep = integer(l, "keep", lPtr, d.keep(), 1, 1000);
        return new LogSpec(or(file, d.stdout()), or(errFile, d.stderr()), or(maxSize, d.maxBytes()), or(keep, d.keep()));
    }

    private List<ChildSpec> children(ObjectNode o, String ptr) {
        JsonNode node = value(o, "children");
        List<ChildSpec> children = new ArrayList<>();
        if (node == null) {
            return children;
        }
        String cPtr = child(ptr, "children");
        if (!node.isArray()) {
            error(cPtr, "children must be an array such as [{\"name\": \"bridge\", \"probe\": {\"type\": \"tcp\", "
                    + "\"port\": 18790}}], got " + describe(node));
            return children;
        }
        Map<String, String> firstPointer = new HashMap<>();
        for (int i = 0; i < node.size(); i++) {
            String itemPtr = child(cPtr, i);
            JsonNode item = node.get(i);
            if (!item.isObject()) {
                error(itemPtr, "each child must be an object such as {\"name\": \"bridge\", \"probe\": {...}}, got "
                        + describe(item));
                continue;
            }
            ObjectNode c = (ObjectNode) item;
            warnUnknown(c, itemPtr, CatalogFormat.CHILD_FIELDS);
            String name = requiredName(c, itemPtr, "child");
            if (name != null) {
                String earlier = firstPointer.putIfAbsent(name, child(itemPtr, "name"));
                if (earlier != null) {
                    error(child(itemPtr, "name"), "duplicate child name \"" + name + "\"; it is already used "
                            + placeOf(earlier));
                }
            }
            String displayName = string(c, "displayName", itemPtr);
            JsonNode probeNode = value(c, "probe");
            ProbeSpec probe = null;
            if (probeNode == null) {
                error(child(itemPtr, "probe"), "a child needs a probe, e.g. \"probe\": {\"type\": \"tcp\", \"port\": 18790}");
            } else {
                probe = probe(probeNode, child(itemPtr, "probe"), "probe", Role.READINESS);
            }
            if (name != null && probe != null) {
                children.add(new ChildSpec(name, displayName != null ? displayName
                        : CatalogFormat.defaultDisplayName(name), probe));
            }
        }
        return children;
    }

    private JobSpec schedule(ObjectNode o, String ptr) {
        JsonNode node = value(o, "schedule");
        String sPtr = child(ptr, "schedule");
        if (!node.isObject()) {
            error(sPtr, "schedule must be an object such as {\"every\": \"6h\", \"timeout\": \"2m\"}, got "
                    + describe(node));
            return null;
        }
        ObjectNode s = (ObjectNode) node;
        warnUnknown(s, sPtr, CatalogFormat.SCHEDULE_FIELDS);
        Duration every = duration(s, "every", sPtr, null, true);
        if (every == null && value(s, "every") == null) {
            error(child(sPtr, "every"), "every is required, e.g. \"every\": \"6h\"");
        }
        Duration timeout = duration(s, "timeout", sPtr, JobSpec.DEFAULT_TIMEOUT, true);
        return every == null || timeout == null ? null : new JobSpec(every, timeout);
    }

    // ---- scalar fields ------------------------------------------------------------------------------------------

    /** The field's value, or null when it is absent or JSON null (both mean "not set"). */
    private static JsonNode value(ObjectNode o, String key) {
        JsonNode node = o.get(key);
        return node == null || node.isNull() ? null : node;
    }

    private String requiredName(ObjectNode o, String ptr, String what) {
        JsonNode node = value(o, "name");
        String namePtr = child(ptr, "name");
        if (node == null) {
            error(namePtr, "name is required: every " + what + " needs one, e.g. \"name\": \"gateway\"");
            return null;
        }
        if (!node.isTextual()) {
            error(namePtr, "name must be a string, got " + describe(node));
            return null;
        }
        String name = node.textValue();
        if (!CatalogFormat.NAME.matcher(name).matches()) {
            error(namePtr, "must be " + CatalogFormat.NAME_RULE + ", got " + describe(node));
            return null;
        }
        return name;
    }

    /** Null when absent or not a string (reported). */
    private String string(ObjectNode o, String key, String ptr) {
        JsonNode node = value(o, key);
        if (node == null) {
            return null;
        }
        if (!node.isTextual()) {
            error(child(ptr, key), key + " must be a string, got " + describe(node));
            return null;
        }
        return node.textValue();
    }

    private Boolean bool(ObjectNode o, String key, String ptr, Boolean absent) {
        JsonNode node = value(o, key);
        if (node == null) {
            return absent;
        }
        if (!node.isBoolean()) {
            error(child(ptr, key), key + " must be true or false, got " + describe(node));
            return null;
        }
        return node.booleanValue();
    }

    /** {@code absent} when not given; null when given but wrong (reported). */
    private Integer integer(ObjectNode o, String key, String ptr, Integer absent, long min, long max) {
        JsonNode node = value(o, key);
        if (node == null) {
            return absent;
        }
        String fieldPtr = child(ptr, key);
        if (!node.isNumber()) {
            error(fieldPtr, key + " must be a number, got " + describe(node));
            return null;
        }
        if (!node.canConvertToExactIntegral()) {
            error(fieldPtr, "must be a whole number, got " + describe(node));
            return null;
        }
        if (!node.canConvertToLong() || node.asLong() < min || node.asLong() > max) {
            error(fieldPtr, (max >= Integer.MAX_VALUE ? "must be at least " + min
                    : "must be between " + min + " and " + max) + ", got " + describe(node));
            return null;
        }
        return (int) node.asLong();
    }

    private Double number(ObjectNode o, String key, String ptr, Double absent, double min, double max) {
        JsonNode node = value(o, key);
        if (node == null) {
            return absent;
        }
        String fieldPtr = child(ptr, key);
        if (!node.isNumber()) {
            error(fieldPtr, key + " must be a number, got " + describe(node));
            return null;
        }
        double v = node.asDouble();
        if (!(v >= min && v <= max)) {
            error(fieldPtr, (max == Double.MAX_VALUE ? "must be at least " + plain(min)
                    : "must be between " + plain(min) + " and " + plain(max)) + ", got " + describe(node));
            return null;
        }
        return v;
    }

    /** {@code absent} when not given; null when given but wrong (reported). */
    private Duration duration(ObjectNode o, String key, String ptr, Duration absent, boolean positive) {
        JsonNode node = value(o, key);
        if (node == null) {
            return absent;
        }
        String fieldPtr = child(ptr, key);
        if (!node.isTextual()) {
            error(fieldPtr, key + " must be a duration such as \"10s\" or \"5m\", got " + describe(node));
            return null;
        }
        String text = node.textValue();
        if (text.trim().startsWith("-")) {
            error(fieldPtr, "must not be negative, got " + describe(node));
            return null;
        }
        Duration d;
        try {
            d = Durations.parse(text);
        } catch (IllegalArgumentException e) {
            error(fieldPtr, e.getMessage());
            return null;
        }
        if (positive && d.isZero()) {
            error(fieldPtr, "must be greater than 0, got " + describe(node));
            return null;
        }
        return d;
    }

    private Long size(ObjectNode o, String key, String ptr, long absent) {
        JsonNode node = value(o, key);
        if (node == null) {
            return absent;
        }
        String fieldPtr = child(ptr, key);
        long bytes;
        if (node.isNumber()) {
            if (!node.canConvertToExactIntegral() || !node.canConvertToLong()) {
                error(fieldPtr, "must be a whole number of bytes or a size such as \"10MB\", got " + describe(node));
                return null;
            }
            bytes = node.asLong();
        } else if (node.isTextual()) {
            try {
                bytes = ByteSizes.parse(node.textValue());
            } catch (IllegalArgumentException e) {
                error(fieldPtr, e.getMessage());
                return null;
            }
        } else {
            error(fieldPtr, key + " must be a size such as \"10MB\" or a number of bytes, got " + describe(node));
            return null;
        }
        if (bytes < 1) {
            error(fieldPtr, "must be greater than 0, got " + describe(node));
            return null;
        }
        return bytes;
    }

    private Path path(ObjectNode o, String key, String ptr) {
        String text = string(o, key, ptr);
        if (text == null) {
            return null;
        }
        String fieldPtr = child(ptr, key);
        if (text.isBlank()) {
            error(fieldPtr, "must not be empty; leave " + key + " out to use the default");
            return null;
        }
        if (text.startsWith("~") && !text.equals("~") && !text.startsWith("~/") && !text.startsWith("~\\")) {
            error(fieldPtr, "only \"~\" and \"~/...\" are understood, not another user's home, got " + describe(o.get(key)));
            return null;
        }
        try {
            return CatalogFormat.expandPath(text, paths);
        } catch (InvalidPathException e) {
            error(fieldPtr, "not a valid path (" + e.getReason() + "), got " + describe(o.get(key)));
            return null;
        }
    }

    private URI url(ObjectNode o, String key, String ptr, Set<String> schemes, String schemeText) {
        String text = string(o, key, ptr);
        if (text == null) {
            return null;
        }
        String fieldPtr = child(ptr, key);
        String expected = "must be " + schemeText + " URL";
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            error(fieldPtr, expected + ", got " + describe(o.get(key)) + " (" + e.getReason() + " at index " + e.getIndex() + ")");
            return null;
        }
        if (uri.getScheme() == null || !schemes.contains(uri.getScheme().toLowerCase(Locale.ROOT))
                || uri.getHost() == null) {
            error(fieldPtr, expected + ", got " + describe(o.get(key)));
            return null;
        }
        return uri;
    }

    private List<String> stringArray(ObjectNode o, String key, String ptr, String example) {
        JsonNode node = value(o, key);
        String fieldPtr = child(ptr, key);
        if (node.isTextual()) {
            error(fieldPtr, key + " must be an array of strings, e.g. " + example);
            return List.of();
        }
        if (!node.isArray()) {
            error(fieldPtr, key + " must be an array of strings, e.g. " + example + ", got " + describe(node));
            return List.of();
        }
        if (node.isEmpty()) {
            error(fieldPtr, key + " must not be empty: give the program and its arguments, e.g. " + example);
            return List.of();
        }
        List<String> items = new ArrayList<>();
        boolean ok = true;
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                error(child(fieldPtr, i), "must be a string, got " + describe(item));
                ok = false;
            } else if (item.textValue().isEmpty()) {
                error(child(fieldPtr, i), "must not be an empty string");
                ok = false;
            } else {
                items.add(item.textValue());
            }
        }
        return ok ? items : List.of();
    }

    private void warnUnknown(ObjectNode o, String ptr, Collection<String> known) {
        for (Iterator<String> it = o.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!known.contains(field)) {
                warn(child(ptr, field), "unknown field " + Quoted.of(field) + "; kept as is");
            }
        }
    }

    // ---- reporting ----------------------------------------------------------------------------------------------

    private void error(String pointer, String message) {
        JsonText.Position at = locations.find(pointer);
        errors.add(CatalogProblem.error(source, at.line(), at.column(), pointer, message));
    }

    private void warn(String pointer, String message) {
        JsonText.Position at = locations.find(pointer);
        warnings.add(CatalogProblem.warning(source, at.line(), at.column(), pointer, message));
    }

    /** "at line 3" when the text is known, else the pointer. */
    private String placeOf(String pointer) {
        JsonText.Position at = locations.find(pointer);
        return at.line() > 0 ? "at line " + at.line() : "at " + pointer;
    }

    /** A value as it appears in the file, short enough for a one-line message. */
    static String describe(JsonNode node) {
        if (node.isObject()) {
            return "an object";
        }
        if (node.isArray()) {
            return "an array";
        }
        String text;
        try {
            text = Json.MAPPER.writeValueAsString(node);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            text = node.asText();
        }
        // JSON escapes C0 controls but not DEL, C1 controls or format characters: a terminal may obey those.
        text = Quoted.clean(text, Integer.MAX_VALUE);
        return text.length() > 60 ? text.substring(0, 57) + "..." + (node.isTextual() ? "\"" : "") : text;
    }

    /** Names for a message: the first few, then how many more. */
    private static String listed(Collection<String> names) {
        List<String> all = new ArrayList<>(names);
        return all.size() <= 10 ? String.join(", ", all)
                : String.join(", ", all.subList(0, 10)) + " and " + (all.size() - 10) + " more";
    }

    private static String plain(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    private static <T> T or(T value, T fallback) {
        return value != null ? value : fallback;
    }
}
