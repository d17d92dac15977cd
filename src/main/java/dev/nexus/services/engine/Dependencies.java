package dev.nexus.services.engine;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.ServiceSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Start order from {@code dependsOn}: layers whose members only depend on earlier layers. */
final class Dependencies {
    private Dependencies() {
    }

    /**
     * The requested services plus everything they depend on, in layers (catalog order within a
     * layer). The catalog was validated, so there is no cycle.
     */
    static List<List<String>> startLayers(Catalog catalog, Set<String> requested) {
        Set<String> closure = new LinkedHashSet<>();
        requested.forEach(name -> addWithDependencies(catalog, name, closure));
        Map<String, Integer> depth = new LinkedHashMap<>();
        for (ServiceSpec s : catalog.services()) {
            if (closure.contains(s.name())) {
                depth(catalog, s.name(), depth);
            }
        }
        List<List<String>> layers = new ArrayList<>();
        for (ServiceSpec s : catalog.services()) {
            Integer d = depth.get(s.name());
            if (d == null) {
                continue;
            }
            while (layers.size() <= d) {
                layers.add(new ArrayList<>());
            }
            layers.get(d).add(s.name());
        }
        return layers;
    }

    /** The requested services plus everything depending on them, in the reverse of start order. */
    static List<List<String>> stopLayers(Catalog catalog, Set<String> requested) {
        Set<String> closure = new LinkedHashSet<>(requested);
        boolean grew = true;
        while (grew) {
            grew = false;
            for (ServiceSpec s : catalog.services()) {
                if (!closure.contains(s.name()) && s.dependsOn().stream().anyMatch(closure::contains)) {
                    closure.add(s.name());
                    grew = true;
                }
            }
        }
        List<List<String>> layers = new ArrayList<>(startLayers(catalog, closure));
        layers.replaceAll(layer -> layer.stream().filter(closure::contains).toList());
        layers.removeIf(List::isEmpty);
        java.util.Collections.reverse(layers);
        return layers;
    }

    private static void addWithDependencies(Catalog catalog, String name, Set<String> into) {
        if (into.add(name)) {
            catalog.find(name).ifPresent(s -> s.dependsOn().forEach(d -> addWithDependencies(catalog, d, into)));
        }
    }

    private static int depth(Catalog catalog, String name, Map<String, Integer> memo) {
        Integer known = memo.get(name);
        if (known != null) {
            return known;
        }
        int d = 0;
        for (String dep : catalog.find(name).map(ServiceSpec::dependsOn).orElse(List.of())) {
            d = Math.max(d, depth(catalog, dep, memo) + 1);
        }
        memo.put(name, d);
        return d;
    }
}
