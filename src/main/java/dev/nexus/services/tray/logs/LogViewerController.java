package dev.nexus.services.tray.logs;

import java.util.stream.Collectors;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.fxml.FXML;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.control.Tooltip;
import javafx.scene.input.Clipboard;
import javafx.scene.input.ClipboardContent;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.HBox;

/** Binds LogViewer.fxml to a {@link LogViewModel}; no logic of its own. */
public final class LogViewerController {
    private static final double LINE_HEIGHT = 20;
    private static final KeyCombination COPY = new KeyCodeCombination(KeyCode.C, KeyCombination.SHORTCUT_DOWN);

    private final LogViewModel model;

    @FXML ComboBox<LogSource> serviceChoice;
    @FXML ToggleGroup streamGroup;
    @FXML ToggleButton stdoutButton;
    @FXML ToggleButton stderrButton;
    @FXML ToggleButton pauseButton;
    @FXML TextField searchField;
    @FXML Label matchLabel;
    @FXML Button previousButton;
    @FXML Button nextButton;
    @FXML CheckBox onlyMatches;
    @FXML Label notice;
    @FXML ListView<LogLine> lineList;
    @FXML Label fileLabel;
    @FXML Label statusLabel;
    @FXML Label capLabel;

    public LogViewerController(LogViewModel model) {
        this.model = model;
    }

    @FXML
    void initialize() {
        serviceChoice.setItems(model.sources());
        serviceChoice.setCellFactory(list -> new SourceCell(true));
        serviceChoice.setButtonCell(new SourceCell(false));
        serviceChoice.setValue(model.sourceProperty().get());
        model.sourceProperty().addListener((obs, was, now) -> serviceChoice.setValue(now));
        serviceChoice.valueProperty().addListener((obs, was, now) -> {
            if (now != null && now != model.sourceProperty().get()) {
                model.select(now, model.stderrProperty().get());
            }
        });

        stdoutButton.setSelected(!model.stderrProperty().get());
        stderrButton.setSelected(model.stderrProperty().get());
        model.stderrProperty().addListener((obs, was, now) -> (now ? stderrButton : stdoutButton).setSelected(true));
        streamGroup.selectedToggleProperty().addListener((obs, was, now) -> {
            if (now == null) {
                was.setSelected(true); // one of the two is always shown
            } else {
                model.showStderr(now == stderrButton);
            }
        });
        var noLogs = Bindings.createBooleanBinding(() -> model.sourceProperty().get() == null
                || !model.sourceProperty().get().hasLogs(), model.sourceProperty());
        stdoutButton.disableProperty().bind(noLogs);
        stderrButton.disableProperty().bind(noLogs);
        stdoutButton.setTooltip(new Tooltip("What the service printed to standard output"));
        stderrButton.setTooltip(new Tooltip("What the service printed to standard error"));

        pauseButton.selectedProperty().bindBidirectional(model.pausedProperty());
        pauseButton.textProperty().bind(Bindings.createStringBinding(() -> !model.pausedProperty().get() ? "Pause"
                        : model.pendingCountProperty().get() == 0 ? "Resume"
                        : "Resume (" + LogViewModel.count(model.pendingCountProperty().get(), "new line") + ")",
                model.pausedProperty(), model.pendingCountProperty()));
        pauseButton.disableProperty().bind(noLogs);
        pauseButton.setTooltip(new Tooltip("Pause to read calmly; new lines wait and appear when you resume"));

        searchField.textProperty().bindBidirectional(model.queryProperty());
        searchField.addEventHandler(KeyEvent.KEY_PRESSED, e -> {
            if (e.getCode() == KeyCode.ENTER) {
                e.consume();
                if (e.isShiftDown()) {
                    model.previousMatch();
                } else {
                    model.nextMatch();
                }
            }
        });
        matchLabel.textProperty().bind(Bindings.createStringBinding(() -> {
            if (model.queryProperty().get() == null || model.queryProperty().get().isEmpty()) {
                return "";
            }
            int count = model.matchCountProperty().get();
            int current = model.currentMatchNumberProperty().get();
            return count == 0 ? "No matches" : current == 0 ? count + (count == 1 ? " match" : " matches")
                    : current + " of " + count;
        }, model.queryProperty(), model.matchCountProperty(), model.currentMatchNumberProperty()));
        previousButton.disableProperty().bind(model.matchCountProperty().isEqualTo(0));
        nextButton.disableProperty().bind(model.matchCountProperty().isEqualTo(0));
        previousButton.setOnAction(e -> model.previousMatch());
        nextButton.setOnAction(e -> model.nextMatch());
        previousButton.setTooltip(new Tooltip("Previous match (Shift+Enter)"));
        nextButton.setTooltip(new Tooltip("Next match (Enter)"));
        onlyMatches.selectedProperty().bindBidirectional(model.onlyMatchesProperty());
        onlyMatches.setTooltip(new Tooltip("Show only the lines that contain the search text"));

        notice.textProperty().bind(model.noticeProperty());
        notice.visibleProperty().bind(model.noticeProperty().isNotEmpty());
        notice.managedProperty().bind(notice.visibleProperty());

        lineList.setItems(model.visibleLines());
        lineList.setFixedCellSize(LINE_HEIGHT);
        lineList.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
        lineList.setCellFactory(list -> new LogLineCell(model));
        Label placeholder = new Label();
        placeholder.getStyleClass().add("placeholder-text");
        placeholder.setWrapText(true);
        placeholder.textProperty().bind(model.placeholderProperty());
        lineList.setPlaceholder(placeholder);
        lineList.addEventHandler(KeyEvent.KEY_PRESSED, e -> {
            if (COPY.match(e)) {
                e.consume();
                copySelection();
            }
        });
        model.visibleLines().addListener((ListChangeListener<LogLine>) change -> {
            if (!model.pausedProperty().get() && !model.visibleLines().isEmpty()) {
                lineList.scrollTo(model.visibleLines().size() - 1);
            }
        });
        model.queryProperty().addListener((obs, was, now) -> lineList.refresh());
        model.currentMatchProperty().addListener((obs, was, now) -> {
            lineList.refresh();
            if (now != null) {
                int index = model.visibleIndexOf(now);
                if (index >= 0) {
                    lineList.getSelectionModel().clearAndSelect(index);
                    lineList.scrollTo(Math.max(0, index - 3)); // a few lines of context above
                }
            }
        });

        fileLabel.textProperty().bind(model.fileTextProperty());
        fileLabel.setTooltip(new Tooltip());
        fileLabel.getTooltip().textProperty().bind(model.fileTextProperty());
        statusLabel.textProperty().bind(model.statusTextProperty());
        capLabel.setText("Keeps the newest " + LogViewModel.count(model.maxLines(), "line") + " in view");
        capLabel.setTooltip(new Tooltip("Older lines are dropped from this window, not from the file"));
    }

    /** Ctrl+F: to the search field. */
    void focusSearch() {
        searchField.requestFocus();
        searchField.selectAll();
    }

    /** Esc in a search field with text clears it; otherwise the window closes. */
    boolean clearSearchIfFocused() {
        if (searchField.isFocused() && !searchField.getText().isEmpty()) {
            searchField.clear();
            return true;
        }
        return false;
    }

    private void copySelection() {
        String text = lineList.getSelectionModel().getSelectedItems().stream().map(LogLine::text)
                .collect(Collectors.joining("\n"));
        if (!text.isEmpty()) {
            ClipboardContent content = new ClipboardContent();
            content.putString(text);
            Clipboard.getSystemClipboard().setContent(content);
        }
    }

    private static final class SourceCell extends ListCell<LogSource> {
        private final boolean inList;

        SourceCell(boolean inList) {
            this.inList = inList;
        }

        @Override
        protected void updateItem(LogSource source, boolean empty) {
            super.updateItem(source, empty);
            if (empty || source == null) {
                setText(null);
                setDisable(false);
                setTooltip(null);
                return;
            }
            setText(source.hasLogs() || !inList ? source.label() : source.label() + " — no log file");
            setDisable(inList && !source.hasLogs());
            setTooltip(source.hasLogs() ? null : new Tooltip(source.note()));
        }
    }

    /** One line, with the search matches highlighted. */
    private static final class LogLineCell extends ListCell<LogLine> {
        private final LogViewModel model;
        private final HBox pieces = new HBox();

        LogLineCell(LogViewModel model) {
            this.model = model;
            getStyleClass().add("log-line");
            pieces.getStyleClass().add("log-pieces");
        }

        @Override
        protected void updateItem(LogLine line, boolean empty) {
            super.updateItem(line, empty);
            getStyleClass().removeAll("match-line", "current-match");
            setText(null);
            if (empty || line == null) {
                setGraphic(null);
                return;
            }
            String query = model.queryProperty().get();
            pieces.getChildren().clear();
            for (Highlight.Segment segment : Highlight.segments(line.text(), query, Highlight.MAX_SHOWN_CHARS)) {
                Label piece = new Label(segment.text());
                piece.setMinWidth(Label.USE_PREF_SIZE);
                piece.getStyleClass().add(segment.match() ? "match" : "plain");
                pieces.getChildren().add(piece);
            }
            if (Highlight.contains(line.text(), query)) {
                getStyleClass().add(line.equals(model.currentMatchProperty().get()) ? "current-match" : "match-line");
            }
            setGraphic(pieces);
        }
    }
}
