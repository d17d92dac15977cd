package dev.nexus.services.catalog;

import java.util.List;
import java.util.Optional;

/** The services the engine manages, in the order the user wrote them. */
public record Catalog(int version, List<ServiceSpec> services) {
    public static final int CURRENT_VERSION = 1;

    public Catalog {
        services = List.copyOf(services);
    }

    public Optional<ServiceSpec> find(String name) {
        return services.stream().filter(s -> s.name().equals(name)).findFirst();
    }

    public List<String> names() {
        return services.stream().map(ServiceSpec::name).toList();
    }
}
