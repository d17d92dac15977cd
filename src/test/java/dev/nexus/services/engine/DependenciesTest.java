package dev.nexus.services.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.RestartSpec;
import dev.nexus.services.catalog.ServiceSpec;
import dev.nexus.services.support.NexusPaths;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DependenciesTest {
    private static final NexusPaths PATHS = new NexusPaths(Path.of("/tmp/nexus-deps-test"));

    private static ServiceSpec s(String name, String... deps) {
        return EngineFixture.daemon(PATHS, name, List.of("true"), null, dev.nexus.services.catalog.Probes.NONE,
                RestartSpec.DEFAULT, List.of(deps), List.of());
    }

    // gateway ← cloud ← hub, and collab alone; catalog order deliberately not dependency order
    private static final Catalog CATALOG = new Catalog(1, List.of(s("hub", "cloud"), s("collab"), s("cloud", "gateway"),
            s("gateway")));

    @Test
    void startingOneServiceStartsWhatItDependsOnFirst() {
        assertEquals(List.of(List.of("gateway"), List.of("cloud"), List.of("hub")),
                Dependencies.startLayers(CATALOG, Set.of("hub")));
    }

    @Test
    void everythingStartsInLayersKeepingCatalogOrderWithinALayer() {
        assertEquals(List.of(List.of("collab", "gateway"), List.of("cloud"), List.of("hub")),
                Dependencies.startLayers(CATALOG, Set.of("hub", "collab", "cloud", "gateway")));
    }

    @Test
    void stoppingAServiceStopsItsDependentsFirst() {
        assertEquals(List.of(List.of("hub"), List.of("cloud")), Dependencies.stopLayers(CATALOG, Set.of("cloud")));
        assertEquals(List.of(List.of("collab")), Dependencies.stopLayers(CATALOG, Set.of("collab")));
    }
}
