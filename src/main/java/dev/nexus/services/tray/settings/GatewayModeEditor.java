package dev.nexus.services.tray.settings;

import dev.nexus.services.catalog.Catalog;
import dev.nexus.services.catalog.GatewayMode;
import dev.nexus.services.support.NexusPaths;
import java.net.URI;
import java.util.Objects;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

/**
 * Settings › Services: {@code gateway.mode}, local (the gateway runs here) or remote (a session to a
 * {@code ws://} / {@code wss://} URL). Part of {@link ServicesViewModel}: saved with the rest of the tab.
 */
public final class GatewayModeEditor {
    private final ReadOnlyBooleanWrapper available = new ReadOnlyBooleanWrapper(this, "available");
    private final BooleanProperty remote = new SimpleBooleanProperty(this, "remote");
    private final StringProperty url = new SimpleStringProperty(this, "url", "");
    private final ReadOnlyStringWrapper urlError = new ReadOnlyStringWrapper(this, "urlError");
    private final ReadOnlyBooleanWrapper changed = new ReadOnlyBooleanWrapper(this, "changed");
    private boolean savedRemote;
    private String savedUrl = "";

    GatewayModeEditor() {
        remote.addListener((obs, was, now) -> update());
        url.addListener((obs, was, now) -> update());
    }

    /** Shows the mode of a freshly read catalog (unavailable when it has no gateway). */
    void load(Catalog catalog) {
        available.set(GatewayMode.of(catalog).isPresent());
        savedRemote = GatewayMode.of(catalog).orElse(GatewayMode.LOCAL) == GatewayMode.REMOTE;
        savedUrl = GatewayMode.remoteUrl(catalog).map(URI::toString).orElse("");
        remote.set(savedRemote);
        url.set(savedUrl);
        update();
    }

    /**
     * The catalog with the chosen mode; unchanged when nothing changed here.
     *
     * @throws IllegalArgumentException when remote is chosen with a URL that cannot work (see {@link #urlErrorProperty})
     */
    Catalog applyTo(Catalog catalog, NexusPaths paths) {
        if (!changed.get()) {
            return catalog;
        }
        return remote.get()
                ? GatewayMode.switchTo(catalog, paths, GatewayMode.REMOTE, GatewayMode.parseRemoteUrl(url.get()))
                : GatewayMode.switchTo(catalog, paths, GatewayMode.LOCAL, null);
    }

    private void update() {
        String error = null;
        if (remote.get()) {
            try {
                GatewayMode.parseRemoteUrl(url.get());
            } catch (IllegalArgumentException e) {
                error = e.getMessage();
            }
        }
        urlError.set(error);
        changed.set(available.get() && (remote.get() != savedRemote
                || (remote.get() && !Objects.equals(url.get().strip(), savedUrl))));
    }

    public ReadOnlyBooleanProperty availableProperty() {
        return available.getReadOnlyProperty();
    }

    /** True for remote, false for local. */
    public BooleanProperty remoteProperty() {
        return remote;
    }

    public StringProperty urlProperty() {
        return url;
    }

    /** Why the URL cannot be used (remote only); null when it can. */
    public ReadOnlyStringProperty urlErrorProperty() {
        return urlError.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty changedProperty() {
        return changed.getReadOnlyProperty();
    }
}
