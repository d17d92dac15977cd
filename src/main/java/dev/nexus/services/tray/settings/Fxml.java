package dev.nexus.services.tray.settings;

import java.io.IOException;
import java.net.URL;
import javafx.fxml.FXMLLoader;

/** Loads an FXML view with a controller made by the page, so controllers get their view model injected. */
public final class Fxml {
    private Fxml() {
    }

    /**
     * @param owner      the class whose package holds the FXML (and its CSS)
     * @param resource   the file name next to {@code owner}
     * @param controller the controller the FXML names with fx:controller
     */
    public static <T> T load(Class<?> owner, String resource, Object controller) {
        URL url = owner.getResource(resource);
        if (url == null) {
            throw new IllegalStateException("missing FXML resource " + resource + " next to " + owner.getName());
        }
        FXMLLoader loader = new FXMLLoader(url);
        loader.setControllerFactory(type -> {
            if (!type.isInstance(controller)) {
                throw new IllegalStateException(resource + " names controller " + type.getName() + ", but "
                        + controller.getClass().getName() + " was given");
            }
            return controller;
        });
        try {
            return loader.load();
        } catch (IOException e) {
            throw new IllegalStateException("cannot load " + url + ": " + e.getMessage(), e);
        }
    }
}
