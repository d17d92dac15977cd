package dev.nexus.services.catalog;

import dev.nexus.services.support.NexusPaths;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Nexus' {@code gateway.mode}: the gateway runs here (local, a supervised daemon) or elsewhere (remote, the
 * same session to a {@code ws://} / {@code wss://} URL with no local process). In the catalog that is the
 * kind of the service named {@code gateway}.
 */
public enum GatewayMode {
    LOCAL, REMOTE;

    public static final String SERVICE = "gateway";

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode of a catalog; empty when it has no gateway at all (a user removed it). */
    public static Optional<GatewayMode> of(Catalog catalog) {
        return catalog.find(SERVICE).map(s -> s.kind() == ServiceKind.CONNECTION ? REMOTE : LOCAL);
    }

    /** The remote gateway's URL, when the catalog's gateway is remote and has one. */
    public static Optional<URI> remoteUrl(Catalog catalog) {
        return catalog.find(SERVICE).filter(s -> s.kind() == ServiceKind.CONNECTION).map(ServiceSpec::url);
    }

    /**
     * The catalog with its gateway switched to {@code mode}, in the same place and enabled as before. Switching
     * to local restores Nexus' local gateway; switching to remote (or changing the URL) keeps nothing of the
     * local daemon's settings, which do not apply to a connection.
     *
     * @param url the remote gateway, required for {@link #REMOTE}, ignored for {@link #LOCAL}
     * @throws IllegalArgumentException naming the problem: no URL, not ws:// or wss://, no host
     */
    public static Catalog switchTo(Catalog catalog, NexusPaths paths, GatewayMode mode, URI url) {
        ServiceSpec next = switch (mode) {
            case LOCAL -> NexusDefaults.localGateway(paths);
            case REMOTE -> NexusDefaults.remoteGateway(paths, checkedRemoteUrl(url));
        };
        Optional<ServiceSpec> current = catalog.find(SERVICE);
        if (current.isPresent()) {
            next = next.withEnabled(current.get().enabled());
        }
        List<ServiceSpec> services = new ArrayList<>(catalog.services());
        int at = current.map(services::indexOf).orElse(-1);
        if (at >= 0) {
            services.set(at, next);
        } else {
            services.add(0, next);
        }
        return new Catalog(catalog.version(), services);
    }

    /** A remote gateway URL as people type it, checked: ws:// or wss:// with a host. */
    public static URI parseRemoteUrl(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("a remote gateway needs its URL, e.g. wss://gateway.example.com/");
        }
        URI url;
        try {
            url = new URI(text.strip());
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("\"" + text.strip() + "\" is not a URL: " + e.getReason());
        }
        return checkedRemoteUrl(url);
    }

    private static URI checkedRemoteUrl(URI url) {
        if (url == null) {
            throw new IllegalArgumentException("a remote gateway needs its URL, e.g. wss://gateway.example.com/");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("ws") && !scheme.equals("wss")) {
            throw new IllegalArgumentException("a remote gateway URL starts with ws:// or wss://, not \"" + url + "\"");
        }
        if (url.getHost() == null || url.getHost().isBlank()) {
            throw new IllegalArgumentException("the remote gateway URL \"" + url + "\" has no host");
        }
        return url;
    }
}
