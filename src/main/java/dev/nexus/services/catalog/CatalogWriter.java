package dev.nexus.services.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.catalog.CatalogFormat.Role;
import dev.nexus.services.support.Durations;
import dev.nexus.services.support.NexusPaths;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Builds the JSON tree for a catalog, merged into the previously loaded tree. The policy is documented
 * on {@link CatalogCodec}; in short: a field whose value did not change keeps its previous text (or its
 * absence), a changed field is written afresh, unknown fields stay, and a fresh object shows the
 * important knobs while leaving out the defaults nobody needs to see.
 */
final class CatalogWriter {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    /** Marks "nothing to compare with": the object is new, so every field is written afresh. */
    private static final Object NO_PREVIOUS = new Object();

    private final NexusPaths paths;

    CatalogWriter(NexusPaths paths) {
        this.paths = paths;
    }

    ObjectNode write(Catalog catalog, JsonNode previousTree) {
        ObjectNode previousRoot = previousTree instanceof ObjectNode o ? o : null;
        Map<String, ObjectNode> rawByName = new HashMap<>();
        Map<String, ServiceSpec> previousByName = new HashMap<>();
        if (previousRoot != null && previousRoot.get("services") instanceof ArrayNode rawServices) {
            CatalogReader.Result previous = new CatalogReader(paths, "", JsonText.Locations.NONE).read(previousRoot);
            for (int i = 0; i < rawServices.size(); i++) {
                if (rawServices.get(i) instanceof ObjectNode raw && raw.get("name") != null
                        && raw.get("name").isTextual() && !rawByName.containsKey(raw.get("name").textValue())) {
                    String name = raw.get("name").textValue();
                    rawByName.put(name, raw);
                    ServiceSpec spec = i < previous.servicesByIndex().size() ? previous.servicesByIndex().get(i) : null;
                    if (spec != null) {
                        previousByName.put(name, spec);
                    }
                }
            }
        }
        ObjectNode root = NODES.objectNode();
        root.put("version", Catalog.CURRENT_VERSION);
        ArrayNode services = root.putArray("services");
        for (ServiceSpec spec : catalog.services()) {
            services.add(service(spec, previousByName.get(spec.name()), rawByName.get(spec.name())));
        }
        keepUnknown(previousRoot, CatalogFormat.ROOT_FIELDS, root);
        return root;
    }

    private ObjectNode service(ServiceSpec s, ServiceSpec p, ObjectNode raw) {
        Fields o = new Fields(raw, CatalogFormat.SERVICE_FIELDS);
        boolean daemon = s.kind() == ServiceKind.DAEMON;
        o.field("name", s.name(), previous(p, ServiceSpec::name), () -> text(s.name()));
        o.field("displayName", s.displayName(), previous(p, ServiceSpec::displayName),
                () -> s.displayName() == null ? null : text(s.displayName()));
        o.field("kind", s.kind(), previous(p, ServiceSpec::kind), () -> text(s.kind().id()));
        o.field("enabled", s.enabled(), previous(p, ServiceSpec::enabled), () -> NODES.booleanNode(s.enabled()));
        o.field("command", s.command(), previous(p, ServiceSpec::command),
                () -> s.command().isEmpty() ? null : strings(s.command()));
        o.field("workingDir", s.workingDir(), previous(p, ServiceSpec::workingDir),
                () -> s.workingDir() == null || s.workingDir().equals(paths.home()) ? null
                        : text(CatalogFormat.pathText(s.workingDir())));
        o.field("env", s.env(), previous(p, ServiceSpec::env), () -> s.env().isEmpty() ? null : env(s.env()));
        o.field("manager", s.manager(), previous(p, ServiceSpec::manager),
                () -> s.manager() == null || (s.kind() == ServiceKind.CONNECTION && s.manager() == ManagerKind.AUTO)
                        ? null : text(s.manager().id()));
        o.field("dependsOn", s.dependsOn(), previous(p, ServiceSpec::dependsOn),
                () -> s.dependsOn().isEmpty() ? null : strings(s.dependsOn()));
        o.field("port", s.port(), previous(p, ServiceSpec::port), () -> s.port() == null ? null : NODES.numberNode(s.port()));
        Probes probes = s.probes() == null ? Probes.NONE : s.probes();
        o.field("probes", probes, previous(p, ServiceSpec::probes),
                () -> probes.isEmpty() ? null : probes(probes, previous(p, ServiceSpec::probes), child(raw, "probes")));
        RestartSpec restart = s.restart() == null ? RestartSpec.DEFAULT : s.restart();
        o.field("restart", restart, previous(p, ServiceSpec::restart),
                () -> daemon || !restart.equals(RestartSpec.DEFAULT)
                        ? restart(restart, previous(p, ServiceSpec::restart), child(raw, "restart")) : null);
        Duration stopTimeout = s.stopTimeout() == null ? ServiceSpec.DEFAULT_STOP_TIMEOUT : s.stopTimeout();
        o.field("stopTimeout", stopTimeout, previous(p, ServiceSpec::stopTimeout),
                () -> daemon || !stopTimeout.equals(ServiceSpec.DEFAULT_STOP_TIMEOUT) ? duration(stopTimeout) : null);
        LogSpec log = s.log() == null ? CatalogFormat.defaultLog(paths, s.name()) : s.log();
        o.field("log", log, previous(p, ServiceSpec::log),
                () -> log(log, previous(p, ServiceSpec::log), child(raw, "log"), s.name(), daemon));
        o.field("children", s.children(), previous(p, ServiceSpec::children),
                () -> s.children().isEmpty() ? null
                        : children(s.children(), previous(p, ServiceSpec::children), raw == null ? null : raw.get("children")));
        o.field("schedule", s.job(), previous(p, ServiceSpec::job),
                () -> s.job() == null ? null : schedule(s.job(), previous(p, ServiceSpec::job), child(raw, "schedule")));
        // A connection always shows its url, as null until set, so that users see where it goes.
        o.field("url", s.url(), previous(p, ServiceSpec::url),
                () -> s.url() != null ? text(s.url().toString())
                        : s.kind() == ServiceKind.CONNECTION ? NODES.nullNode() : null);
        return o.build();
    }

    private ObjectNode probes(Probes v, Object previous, ObjectNode raw) {
        Probes p = previous instanceof Probes probes ? probes : null;
        Fields o = new Fields(raw, CatalogFormat.PROBES_FIELDS);
        for (Role role : Role.values()) {
            ProbeSpec spec = role(v, role);
            Object before = p == null ? NO_PREVIOUS : role(p, role);
            o.field(role.id(), spec, before,
                    () -> spec == null ? null : probe(spec, before, child(raw, role.id()), role, true));
        }
        return o.build();
    }

    private static ProbeSpec role(Probes probes, Role role) {
        return switch (role) {
            case STARTUP -> probes.startup();
            case LIVENESS -> probes.liveness();
            case READINESS -> probes.readiness();
        };
    }

    /** Timing always shown when {@code showTiming}; otherwise only where it differs from the role's default. */
    private ObjectNode probe(ProbeSpec s, Object previous, ObjectNode raw, Role role, boolean showTiming) {
        ProbeSpec p = previous instanceof ProbeSpec spec ? spec : null;
        ProbeCheck before = p != null && p.check().type().equals(s.check().type()) ? p.check() : null;
        Fields o = new Fields(raw, CatalogFormat.PROBE_FIELDS);
        o.field("type", s.check().type(), p == null ? NO_PREVIOUS : p.check().type(), () -> text(s.check().type()));
        ProbeCheck check = s.check();
        if (check instanceof ProbeCheck.Tcp tcp) {
            ProbeCheck.Tcp was = (ProbeCheck.Tcp) before;
            o.field("host", tcp.host(), was == null ? NO_PREVIOUS : was.host(),
                    () -> CatalogFormat.DEFAULT_TCP_HOST.equals(tcp.host()) ? null : text(tcp.host()));
            o.field("port", tcp.port(), was == null ? NO_PREVIOUS : was.port(), () -> NODES.numberNode(tcp.port()));
        } else if (check instanceof ProbeCheck.Http http) {
            o.field("url", http.url(), before == null ? NO_PREVIOUS : ((ProbeCheck.Http) before).url(),
                    () -> text(http.url().toString()));
        } else if (check instanceof ProbeCheck.WebSocket ws) {
            o.field("url", ws.url(), before == null ? NO_PREVIOUS : ((ProbeCheck.WebSocket) before).url(),
                    () -> text(ws.url().toString()));
        } else if (check instanceof ProbeCheck.Gateway gw) {
            ProbeCheck.Gateway was = (ProbeCheck.Gateway) before;
            o.field("url", gw.url(), was == null ? NO_PREVIOUS : was.url(), () -> text(gw.url().toString()));
            o.field("token", gw.token(), was == null ? NO_PREVIOUS : was.token(),
                    () -> gw.token() == null ? null : text(gw.token()));
            o.field("device", gw.device(), was == null ? NO_PREVIOUS : was.device(),
                    () -> gw.device() ? NODES.booleanNode(true) : null);
        } else if (check instanceof ProbeCheck.Exec exec) {
            o.field("command", exec.command(), before == null ? NO_PREVIOUS : ((ProbeCheck.Exec) before).command(),
                    () -> strings(exec.command()));
        }
        ProbeSpec d = role.defaults(s.check());
        o.field("initialDelay", s.initialDelay(), p == null ? NO_PREVIOUS : p.initialDelay(),
                () -> s.initialDelay().equals(d.initialDelay()) ? null : duration(s.initialDelay()));
        o.field("period", s.period(), p == null ? NO_PREVIOUS : p.period(),
                () -> showTiming || !s.period().equals(d.period()) ? duration(s.period()) : null);
        o.field("timeout", s.timeout(), p == null ? NO_PREVIOUS : p.timeout(),
                () -> showTiming || !s.timeout().equals(d.timeout()) ? duration(s.timeout()) : null);
        o.field("failureThreshold", s.failureThreshold(), p == null ? NO_PREVIOUS : p.failureThreshold(),
                () -> showTiming || s.failureThreshold() != d.failureThreshold()
                        ? NODES.numberNode(s.failureThreshold()) : null);
        o.field("successThreshold", s.successThreshold(), p == null ? NO_PREVIOUS : p.successThreshold(),
                () -> s.successThreshold() != d.successThreshold() ? NODES.numberNode(s.successThreshold()) : null);
        return o.build();
    }

    private ObjectNode restart(RestartSpec r, Object previous, ObjectNode raw) {
        RestartSpec p = previous instanceof RestartSpec spec ? spec : null;
        Fields o = new Fields(raw, CatalogFormat.RESTART_FIELDS);
        o.field("policy", r.mode(), p == null ? NO_PREVIOUS : p.mode(), () -> text(r.mode().id()));
        o.field("initialDelay", r.initialDelay(), p == null ? NO_PREVIOUS : p.initialDelay(), () -> duration(r.initialDelay()));
        o.field("multiplier", r.multiplier(), p == null ? NO_PREVIOUS : p.multiplier(), () -> number(r.multiplier()));
        o.field("maxDelay", r.maxDelay(), p == null ? NO_PREVIOUS : p.maxDelay(), () -> duration(r.maxDelay()));
        o.field("jitter", r.jitter(), p == null ? NO_PREVIOUS : p.jitter(), () -> number(r.jitter()));
        o.field("resetAfter", r.resetAfter(), p == null ? NO_PREVIOUS : p.resetAfter(), () -> duration(r.resetAfter()));
        Object loopBefore = p == null ? NO_PREVIOUS : crashLoop(p);
        o.field("crashLoop", crashLoop(r), loopBefore, () -> {
            RestartSpec pl = loopBefore instanceof List<?> ? p : null;
            Fields l = new Fields(child(raw, "crashLoop"), CatalogFormat.CRASH_LOOP_FIELDS);
            l.field("runs", r.crashLoopRuns(), pl == null ? NO_PREVIOUS : pl.crashLoopRuns(),
                    () -> NODES.numberNode(r.crashLoopRuns()));
            l.field("shorterThan", r.shortRun(), pl == null ? NO_PREVIOUS : pl.shortRun(), () -> duration(r.shortRun()));
            l.field("within", r.crashLoopWindow(), pl == null ? NO_PREVIOUS : pl.crashLoopWindow(),
                    () -> duration(r.crashLoopWindow()));
            l.field("maxDelay", r.crashLoopMaxDelay(), pl == null ? NO_PREVIOUS : pl.crashLoopMaxDelay(),
                    () -> duration(r.crashLoopMaxDelay()));
            return l.build();
        });
        return o.build();
    }

    /** The crash-loop settings as one comparable value: they live in one JSON object. */
    private static List<Object> crashLoop(RestartSpec r) {
        return List.of(r.crashLoopRuns(), r.shortRun(), r.crashLoopWindow(), r.crashLoopMaxDelay());
    }

    /** Null when nothing differs from the defaults and the file had no log object. */
    private ObjectNode log(LogSpec l, Object previous, ObjectNode raw, String service, boolean showSizes) {
        LogSpec p = previous instanceof LogSpec spec ? spec : null;
        LogSpec d = CatalogFormat.defaultLog(paths, service);
        Fields o = new Fields(raw, CatalogFormat.LOG_FIELDS);
        o.field("file", l.stdout(), p == null ? NO_PREVIOUS : p.stdout(),
                () -> l.stdout().equals(d.stdout()) ? null : text(CatalogFormat.pathText(l.stdout())));
        o.field("errFile", l.stderr(), p == null ? NO_PREVIOUS : p.stderr(),
                () -> l.stderr().equals(d.stderr()) ? null : text(CatalogFormat.pathText(l.stderr())));
        o.field("maxSize", l.maxBytes(), p == null ? NO_PREVIOUS : p.maxBytes(),
                () -> showSizes || l.maxBytes() != d.maxBytes() ? text(ByteSizes.format(l.maxBytes())) : null);
        o.field("keep", l.keep(), p == null ? NO_PREVIOUS : p.keep(),
                () -> showSizes || l.keep() != d.keep() ? NODES.numberNode(l.keep()) : null);
        ObjectNode built = o.build();
        return built.isEmpty() && raw == null ? null : built;
    }

    private ArrayNode children(List<ChildSpec> children, Object previous, JsonNode rawChildren) {
        Map<String, ChildSpec> before = new HashMap<>();
        if (previous instanceof List<?> list) {
            for (Object item : list) {
                ChildSpec c = (ChildSpec) item;
                before.putIfAbsent(c.name(), c);
            }
        }
        Map<String, ObjectNode> rawByName = new HashMap<>();
        if (rawChildren instanceof ArrayNode array) {
            for (JsonNode item : array) {
                if (item instanceof ObjectNode raw && raw.get("name") != null && raw.get("name").isTextual()) {
                    rawByName.putIfAbsent(raw.get("name").textValue(), raw);
                }
            }
        }
        ArrayNode out = NODES.arrayNode();
        for (ChildSpec c : children) {
            ChildSpec p = before.get(c.name());
            ObjectNode raw = rawByName.get(c.name());
            Fields o = new Fields(raw, CatalogFormat.CHILD_FIELDS);
            o.field("name", c.name(), p == null ? NO_PREVIOUS : p.name(), () -> text(c.name()));
            o.field("displayName", c.displayName(), p == null ? NO_PREVIOUS : p.displayName(),
                    () -> c.displayName() == null ? null : text(c.displayName()));
            Object probeBefore = p == null ? NO_PREVIOUS : p.probe();
            o.field("probe", c.probe(), probeBefore,
                    () -> probe(c.probe(), probeBefore, child(raw, "probe"), Role.READINESS, false));
            out.add(o.build());
        }
        return out;
    }

    private ObjectNode schedule(JobSpec job, Object previous, ObjectNode raw) {
        JobSpec p = previous instanceof JobSpec spec ? spec : null;
        Fields o = new Fields(raw, CatalogFormat.SCHEDULE_FIELDS);
        o.field("every", job.every(), p == null ? NO_PREVIOUS : p.every(), () -> duration(job.every()));
        o.field("timeout", job.timeout(), p == null ? NO_PREVIOUS : p.timeout(), () -> duration(job.timeout()));
        return o.build();
    }

    // ---- helpers ------------------------------------------------------------------------------------------------

    /**
     * One JSON object being written over its previous version: unchanged fields keep their previous text
     * (or stay absent, absence having meant the same default), changed fields are written afresh, and
     * fields this version does not know are carried over after the known ones.
     */
    private static final class Fields {
        private final ObjectNode raw;
        private final List<String> known;
        private final ObjectNode out = NODES.objectNode();

        Fields(ObjectNode raw, List<String> known) {
            this.raw = raw;
            this.known = known;
        }

        /** {@code fresh} gives the node for a changed value, or null to leave the field out. */
        void field(String key, Object value, Object previous, Supplier<JsonNode> fresh) {
            if (previous != NO_PREVIOUS && Objects.equals(value, previous)) {
                if (raw != null && raw.has(key)) {
                    out.set(key, raw.get(key).deepCopy());
                }
                return;
            }
            JsonNode node = fresh.get();
            if (node != null) {
                out.set(key, node);
            }
        }

        ObjectNode build() {
            keepUnknown(raw, known, out);
            return out;
        }
    }

    private static void keepUnknown(ObjectNode raw, List<String> known, ObjectNode out) {
        if (raw == null) {
            return;
        }
        for (Map.Entry<String, JsonNode> field : raw.properties()) {
            if (!known.contains(field.getKey())) {
                out.set(field.getKey(), field.getValue().deepCopy());
            }
        }
    }

    private static Object previous(ServiceSpec p, Function<ServiceSpec, Object> field) {
        return p == null ? NO_PREVIOUS : field.apply(p);
    }

    private static ObjectNode child(ObjectNode raw, String key) {
        return raw != null && raw.get(key) instanceof ObjectNode o ? o : null;
    }

    private static JsonNode text(String value) {
        return NODES.textNode(value);
    }

    private static JsonNode duration(Duration d) {
        return NODES.textNode(Durations.format(d));
    }

    /** Whole numbers without ".0": a hand-edited file says "multiplier": 2. */
    private static JsonNode number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return NODES.numberNode((long) v);
        }
        return NODES.numberNode(v);
    }

    private static ArrayNode strings(List<String> values) {
        ArrayNode array = NODES.arrayNode();
        values.forEach(array::add);
        return array;
    }

    private static ObjectNode env(Map<String, String> env) {
        ObjectNode object = NODES.objectNode();
        env.forEach(object::put);
        return object;
    }
}
