package dev.nexus.services.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.CatalogException;
import dev.nexus.services.catalog.CatalogProblem;
import dev.nexus.services.catalog.CatalogStore;
import dev.nexus.services.catalog.LoadResult;
import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.CredentialStore;
import dev.nexus.services.credentials.Credentials;
import dev.nexus.services.credentials.Secret;
import dev.nexus.services.credentials.use.CredentialListing;
import dev.nexus.services.credentials.use.CredentialUsage;
import dev.nexus.services.credentials.use.EnvImport;
import dev.nexus.services.credentials.use.ExecShim;
import dev.nexus.services.credentials.use.SecretInput;
import dev.nexus.services.support.Json;
import dev.nexus.services.support.NexusPaths;
import java.io.Console;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "credential", description = {"Keep API keys and tokens in the OS keychain, where services get",
    "them from when they start (\"credential:NAME\" in a service's env). Names are service/profile,",
    "e.g. anthropic/default. Values never appear in output unless --reveal is asked for."},
        subcommands = CommandLine.HelpCommand.class)
final class CredentialCommand {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm");

    /**
     * What the subcommands read: the environment (NEXUS_ROOT, and the values import-env moves), stdin,
     * and the terminal for a no-echo prompt. Tests pass their own.
     */
    record Io(Map<String, String> env, InputStream stdin, Console console, boolean stdinIsTerminal) {
        static Io system() {
            return new Io(System.getenv(), System.in, System.console(), ExecShim.stdinIsTerminal());
        }
    }

    private final Io io;

    @Spec
    CommandLine.Model.CommandSpec spec;

    CredentialCommand() {
        this(Io.system());
    }

    CredentialCommand(Io io) {
        this.io = io;
    }

    @Command(name = "list", description = "Credentials: name, where stored, last updated, used by. No values.")
    int list(@Option(names = "--json", description = "One JSON array, for scripts.") boolean json)
            throws CredentialException {
        Credentials credentials = open();
        List<CredentialListing.Row> rows = CredentialListing.rows(credentials.list(), loadCatalog());
        PrintWriter out = out();
        if (json) {
            ArrayNode array = Json.MAPPER.createArrayNode();
            for (CredentialListing.Row r : rows) {
                ObjectNode item = array.addObject();
                item.put("name", r.name().toString());
                item.put("stored", r.stored());
                item.put("backend", r.backend());
                item.put("created", r.created() == null ? null : r.created().toString());
                item.put("updated", r.updated() == null ? null : r.updated().toString());
                r.usedBy().forEach(item.putArray("usedBy")::add);
            }
            out.println(array.toPrettyString());
        } else if (rows.isEmpty()) {
            out.println("No credentials yet. Add one with: nexus-services credential set anthropic/default");
        } else {
            List<String[]> table = new ArrayList<>();
            table.add(new String[] {"NAME", "BACKEND", "UPDATED", "USED BY"});
            for (CredentialListing.Row r : rows) {
                table.add(new String[] {r.name().toString(), r.stored() ? r.backend() : "-",
                    r.stored() ? when(r.updated()) : "not set", r.usedBy().isEmpty() ? "-" : String.join(", ", r.usedBy())});
            }
            printTable(out, table);
        }
        out.flush();
        return 0;
    }

    @Command(name = "get", description = "Show whether a credential is set (masked); --reveal prints the value.")
    int get(@Parameters(paramLabel = "NAME", description = "service/profile") String name,
            @Option(names = "--reveal", description = "Print the value itself (only the value, for scripts).")
            boolean reveal) throws CredentialException {
        CredentialName credential = CredentialName.parse(name);
        Optional<Secret> secret = open().get(credential);
        if (secret.isEmpty()) {
            return notSet(credential);
        }
        PrintWriter out = out();
        out.println(reveal ? secret.get().reveal() : credential + " = " + secret.get().masked(false)
                + "  (set; --reveal prints the value)");
        out.flush();
        return 0;
    }

    @Command(name = "set", description = {"Store a credential. The value is typed at a prompt that does not echo,",
        "or piped in on stdin; never given as an argument."})
    int set(@Parameters(paramLabel = "NAME", description = "service/profile") String name)
            throws CredentialException, IOException {
        CredentialName credential = CredentialName.parse(name);
        Secret value = SecretInput.read(io.console(), io.stdin(), io.stdinIsTerminal(),
                "Value for " + credential + " (input hidden): ");
        Credentials credentials = open();
        credentials.set(credential, value);
        PrintWriter out = out();
        out.println("Saved " + credential + " in " + credentials.active().id() + ".");
        List<String> users = CredentialUsage.of(loadCatalog()).usedBy(credential);
        if (users.isEmpty()) {
            out.println("No service uses it yet: add \"VARIABLE\": \"credential:" + credential
                    + "\" to a service's env in services.json.");
        } else {
            out.println("Used by " + String.join(", ", users) + "; restart to apply: nexus-services restart "
                    + String.join(" ", users));
        }
        out.flush();
        return 0;
    }

    @Command(name = "rm", description = "Delete a credential from its store.")
    int rm(@Parameters(paramLabel = "NAME", description = "service/profile") String name) throws CredentialException {
        CredentialName credential = CredentialName.parse(name);
        if (!open().remove(credential)) {
            return notSet(credential);
        }
        PrintWriter out = out();
        out.println("Removed " + credential + ".");
        List<String> users = CredentialUsage.of(loadCatalog()).usedBy(credential);
        if (!users.isEmpty()) {
            out.println("Still referred to by " + String.join(", ", users)
                    + ": they will fail to start until it is set again.");
        }
        out.flush();
        return 0;
    }

    @Command(name = "import-env", description = {"Move values from this shell's environment into the keychain,",
        "and replace copies of them in services.json with credential: references."})
    int importEnv(@Parameters(paramLabel = "VAR", arity = "1..*", description = "Environment variables to import.")
                  List<String> variables,
                  @Option(names = "--as", paramLabel = "NAME", description = "The credential name (one VAR only); "
                          + "else derived: ANTHROPIC_API_KEY -> anthropic/default.") String as,
                  @Option(names = "--replace", description = "Overwrite a credential that is set to another value.")
                  boolean replace) throws CredentialException, CatalogException {
        if (as != null && variables.size() != 1) {
            throw new IllegalArgumentException("--as names one credential; give exactly one VAR with it");
        }
        Map<String, CredentialName> names = new LinkedHashMap<>();
        Map<String, String> values = new LinkedHashMap<>();
        for (String variable : variables) {
            String value = io.env().get(variable);
            if (value == null || value.isEmpty()) {
                throw new IllegalArgumentException(variable + " is not set in this environment; nothing was imported");
            }
            CredentialName name = as != null ? CredentialName.parse(as) : EnvImport.deriveName(variable);
            for (Map.Entry<String, CredentialName> other : names.entrySet()) {
                if (other.getValue().equals(name)) {
                    throw new IllegalArgumentException(other.getKey() + " and " + variable + " would both become "
                            + name + "; import them one at a time with --as");
                }
            }
            names.put(variable, name);
            values.put(variable, value);
        }
        CatalogStore store = new CatalogStore(paths(), new CatalogCodec(paths()));
        LoadResult loaded = store.load();
        if (!loaded.ok()) {
            throw new IllegalArgumentException(paths().catalogFile() + " has errors, so nothing was imported: "
                    + loaded.errors().stream().map(CatalogProblem::toString).collect(Collectors.joining("; ")));
        }
        Credentials credentials = open();
        for (Map.Entry<String, CredentialName> e : names.entrySet()) {
            Optional<Secret> existing = credentials.get(e.getValue());
            if (existing.isPresent() && !existing.get().reveal().equals(values.get(e.getKey())) && !replace) {
                throw new IllegalArgumentException(e.getValue() + " is already set to another value; pick another "
                        + "name with --as, or overwrite it with --replace (nothing was imported)");
            }
        }
        PrintWriter out = out();
        Map<String, CredentialName> bySecret = new LinkedHashMap<>();
        for (Map.Entry<String, CredentialName> e : names.entrySet()) {
            credentials.set(e.getValue(), Secret.of(values.get(e.getKey())));
            bySecret.put(values.get(e.getKey()), e.getValue());
            out.println("Stored " + e.getKey() + " as " + e.getValue() + " in " + credentials.active().id() + ".");
        }
        EnvImport.Result result = EnvImport.rewrite(loaded.catalog(), bySecret);
        if (!result.rewrites().isEmpty()) {
            store.save(result.catalog());
            for (EnvImport.Rewrite r : result.rewrites()) {
                out.println("services.json: " + r.service() + " " + r.variable() + " -> credential:" + r.credential());
            }
        }
        for (Map.Entry<String, CredentialName> e : names.entrySet()) {
            boolean referenced = !CredentialUsage.of(result.catalog()).usedBy(e.getValue()).isEmpty();
            if (!referenced) {
                out.println("No service in services.json refers to " + e.getValue() + "; to pass it to one, add \""
                        + e.getKey() + "\": \"credential:" + e.getValue() + "\" to its env.");
            }
        }
        out.println("The value" + (names.size() == 1 ? " is" : "s are") + " still in this shell's environment: remove "
                + String.join(", ", names.keySet()) + " from your shell's startup files so that "
                + (names.size() == 1 ? "it lives" : "they live") + " only in the keychain.");
        out.flush();
        return 0;
    }

    @Command(name = "where", description = "Which store holds credentials here, and why that one.")
    int where() {
        Credentials credentials = open();
        CredentialStore active = credentials.active();
        PrintWriter out = out();
        out.println("Active store: " + active.id() + " - " + active.description());
        out.println(credentials.whereExplanation());
        out.flush();
        return 0;
    }

    private int notSet(CredentialName credential) {
        PrintWriter err = spec.commandLine().getErr();
        err.println("nexus-services: credential " + credential + " is not set; set it with: nexus-services credential set "
                + credential);
        err.flush();
        return Main.EXIT_FAILED;
    }

    private NexusPaths paths() {
        return NexusPaths.fromEnvironment(io.env());
    }

    private Credentials open() {
        return Credentials.open(paths(), io.env());
    }

    /**
     * The catalog as the user wrote it, for "used by". With errors the fallback catalog is not the
     * user's, so none is used and the user is told.
     */
    private Catalog loadCatalog() {
        LoadResult loaded = new CatalogStore(paths(), new CatalogCodec(paths())).load();
        if (!loaded.ok()) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("nexus-services: " + paths().catalogFile() + " has errors; which services use a credential "
                    + "is not known (run nexus-services doctor)");
            err.flush();
            return new Catalog(Catalog.CURRENT_VERSION, List.of());
        }
        return loaded.catalog();
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private static String when(Instant at) {
        return at == null ? "-" : WHEN.format(at.atZone(ZoneId.systemDefault()));
    }

    private static void printTable(PrintWriter out, List<String[]> rows) {
        int[] widths = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(i == row.length - 1 ? row[i] : String.format("%-" + (widths[i] + 2) + "s", row[i]));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
