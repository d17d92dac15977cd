package dev.nexus.services.tray.settings;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.CatalogCodec;
import dev.nexus.services.catalog.NexusDefaults;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.support.NexusPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** services.json files whose services refer to credentials, for the Credentials tab's tests. */
final class CredentialTestCatalogs {
    static final String USES_ANTHROPIC = "credential:anthropic/default";

    private CredentialTestCatalogs() {
    }

    /**
     * The Nexus defaults where gateway and cloud use anthropic/default and cloud also nexus-cloud/default;
     * {@code adjust} may change each service further.
     */
    static Catalog referencing(NexusPaths paths, UnaryOperator<ServiceSpec> adjust) {
        List<ServiceSpec> services = new ArrayList<>();
        for (ServiceSpec s : NexusDefaults.catalog(paths).services()) {
            ServiceSpec withEnv = switch (s.name()) {
                case "gateway" -> withEnv(s, Map.of("ANTHROPIC_API_KEY", USES_ANTHROPIC));
                case "cloud" -> withEnv(s, Map.of("ANTHROPIC_API_KEY", USES_ANTHROPIC,
                        "NEXUS_CLOUD_TOKEN", "credential:nexus-cloud/default"));
                default -> s;
            };
            services.add(adjust.apply(withEnv));
        }
        return new Catalog(Catalog.CURRENT_VERSION, services);
    }

    static void write(NexusPaths paths, Catalog catalog) throws IOException {
        Files.createDirectories(paths.state());
        Files.writeString(paths.catalogFile(), new CatalogCodec(paths).write(catalog, null));
    }

    static ServiceSpec withEnv(ServiceSpec s, Map<String, String> env) {
        return new ServiceSpec(s.name(), s.displayName(), s.kind(), s.enabled(), s.command(), s.workingDir(), env,
                s.manager(), s.dependsOn(), s.port(), s.probes(), s.restart(), s.stopTimeout(), s.log(), s.children(),
                s.job(), s.url());
    }
}
