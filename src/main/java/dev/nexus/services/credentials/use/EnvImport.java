package dev.nexus.services.credentials.use;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.credentials.CredentialName;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The pieces of {@code credential import-env}: a credential name for an environment variable, and the
 * catalog with every literal copy of an imported secret replaced by a reference to it.
 */
public final class EnvImport {
    /** Longest first, so that _API_KEY wins over _KEY. */
    private static final List<String> SECRET_SUFFIXES = List.of("_API_TOKEN", "_ACCESS_TOKEN", "_AUTH_TOKEN",
            "_API_KEY", "_SECRET_KEY", "_TOKEN", "_KEY", "_SECRET", "_PASSWORD");

    /** One catalog value that now refers to a credential. */
    public record Rewrite(String service, String variable, CredentialName credential) {
    }

    /** The catalog after rewriting, and what changed (empty when nothing did). */
    public record Result(Catalog catalog, List<Rewrite> rewrites) {
        public Result {
            rewrites = List.copyOf(rewrites);
        }
    }

    private EnvImport() {
    }

    /**
     * The credential name for a variable: the provider part, lower-case, with the usual secret suffix
     * dropped, as profile "default" ({@code ANTHROPIC_API_KEY} → {@code anthropic/default},
     * {@code NEXUS_CLOUD_TOKEN} → {@code nexus-cloud/default}).
     *
     * @throws IllegalArgumentException when no valid name follows from the variable (use --as)
     */
    public static CredentialName deriveName(String variable) {
        String upper = variable.toUpperCase(Locale.ROOT);
        String base = upper;
        for (String suffix : SECRET_SUFFIXES) {
            if (upper.endsWith(suffix) && upper.length() > suffix.length()) {
                base = upper.substring(0, upper.length() - suffix.length());
                break;
            }
        }
        String service = base.toLowerCase(Locale.ROOT).replace('_', '-');
        try {
            return new CredentialName(service, "default");
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot derive a credential name from " + variable
                    + "; name it with --as service/profile", e);
        }
    }

    /**
     * Replaces each env value equal to an imported secret, in any service and under any variable,
     * with a reference to its credential. Values that are references already are left alone.
     *
     * @param imported secret value → the credential it was stored as
     */
    public static Result rewrite(Catalog catalog, Map<String, CredentialName> imported) {
        List<Rewrite> rewrites = new ArrayList<>();
        List<ServiceSpec> services = new ArrayList<>();
        for (ServiceSpec spec : catalog.services()) {
            Map<String, String> env = new LinkedHashMap<>(spec.env());
            boolean changed = false;
            for (Map.Entry<String, String> e : env.entrySet()) {
                CredentialName target = imported.get(e.getValue());
                if (target != null && !EnvReference.looksLikeReference(e.getValue())) {
                    e.setValue(EnvReference.credentialValue(target));
                    rewrites.add(new Rewrite(spec.name(), e.getKey(), target));
                    changed = true;
                }
            }
            services.add(changed ? withEnv(spec, env) : spec);
        }
        return new Result(new Catalog(catalog.version(), services), rewrites);
    }

    private static ServiceSpec withEnv(ServiceSpec s, Map<String, String> env) {
        return new ServiceSpec(s.name(), s.displayName(), s.kind(), s.enabled(), s.command(), s.workingDir(), env,
                s.manager(), s.dependsOn(), s.port(), s.probes(), s.restart(), s.stopTimeout(), s.log(), s.children(),
                s.job(), s.url());
    }
}
