package dev.nexus.services.tray.settings;

import javafx.beans.value.ObservableValue;
import javafx.scene.control.Label;

/** Shows a {@link StatusMessage} in a label: glyph, text, and a style class per kind. */
public final class StatusView {
    private StatusView() {
    }

    public static void bind(Label label, ObservableValue<StatusMessage> status) {
        show(label, status.getValue());
        status.addListener((obs, was, now) -> show(label, now));
    }

    private static void show(Label label, StatusMessage message) {
        for (StatusMessage.Kind kind : StatusMessage.Kind.values()) {
            label.getStyleClass().remove(kind.styleClass());
        }
        StatusMessage m = message == null ? StatusMessage.NONE : message;
        label.getStyleClass().add(m.kind().styleClass());
        label.setText(m.kind() == StatusMessage.Kind.NONE ? "" : m.kind().glyph() + "  " + m.text());
        label.setVisible(m.kind() != StatusMessage.Kind.NONE);
    }
}
