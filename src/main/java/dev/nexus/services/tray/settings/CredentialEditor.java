package dev.nexus.services.tray.settings;

import dev.nexus.services.credentials.CredentialException;
import dev.nexus.services.credentials.CredentialName;
import dev.nexus.services.credentials.Secret;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyBooleanWrapper;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The add / edit dialog of the Credentials tab: a name (typed for a new credential, fixed otherwise) and a
 * value that stays masked unless the user asks to see it.
 *
 * <p>The stored value is read only when the user presses Show on an untouched field, at that moment, and is
 * dropped again by {@link #close()}. The value is held in a property whose {@code toString()} is masked, and
 * it never appears in a status text, a log line or this class's {@code toString()}.
 */
public final class CredentialEditor {
    /** ADD: a new name; EDIT: a stored credential; SET: one that services use but that is not set yet. */
    public enum Mode { ADD, EDIT, SET }

    static final String NAME_REQUIRED = "Enter a name such as anthropic/default.";
    static final String VALUE_REQUIRED = "Enter a value: an empty credential cannot be stored.";
    static final String VALUE_BLANK = "The value is only spaces; enter the credential itself.";
    private static final Logger LOG = LoggerFactory.getLogger(CredentialEditor.class);

    private final CredentialsViewModel owner;
    private final Mode mode;
    /** Null in ADD mode, where the name is typed. */
    private final CredentialName fixedName;
    private final List<String> usedBy;

    private final StringProperty name = new SimpleStringProperty(this, "name", "");
    private final StringProperty value = new MaskedStringProperty(this, "value");
    private final ReadOnlyBooleanWrapper revealed = new ReadOnlyBooleanWrapper(this, "revealed");
    private final ReadOnlyStringWrapper nameError = new ReadOnlyStringWrapper(this, "nameError", "");
    private final ReadOnlyStringWrapper valueError = new ReadOnlyStringWrapper(this, "valueError", "");
    private final ReadOnlyBooleanWrapper busy = new ReadOnlyBooleanWrapper(this, "busy");
    private final ReadOnlyBooleanWrapper done = new ReadOnlyBooleanWrapper(this, "done");
    private final ReadOnlyObjectWrapper<StatusMessage> status = new ReadOnlyObjectWrapper<>(this, "status",
            StatusMessage.NONE);

    /** Empty errors are shown only after a first Save, so an untouched dialog is not all red. */
    private boolean attempted;
    private boolean closed;
    /** The stored value as Show read it, to tell "saved unchanged" from a new value. */
    private Secret fromStore;
    /** The status a refused Save showed; cleared once the input is fixed (a store's error stays). */
    private StatusMessage refusal;

    CredentialEditor(CredentialsViewModel owner, Mode mode, CredentialName fixedName, List<String> usedBy) {
        this.owner = Objects.requireNonNull(owner, "owner");
        this.mode = Objects.requireNonNull(mode, "mode");
        if ((mode == Mode.ADD) != (fixedName == null)) {
            throw new IllegalArgumentException("a name is fixed exactly when editing, not when adding (" + mode + ")");
        }
        this.fixedName = fixedName;
        this.usedBy = List.copyOf(usedBy);
        if (fixedName != null) {
            name.set(fixedName.toString());
        }
        name.addListener((obs, was, now) -> {
            // The name of an existing credential is its identity: renaming is delete and add.
            if (fixedName != null && !fixedName.toString().equals(now)) {
                name.set(fixedName.toString());
                return;
            }
            validate();
        });
        value.addListener((obs, was, now) -> validate());
    }

    public Mode mode() {
        return mode;
    }

    public boolean nameEditable() {
        return mode == Mode.ADD;
    }

    public String title() {
        return switch (mode) {
            case ADD -> "Add a credential";
            case EDIT -> "Edit " + fixedName;
            case SET -> "Set " + fixedName;
        };
    }

    /** One line under the title: what saving does. */
    public String hint() {
        String store = owner.backendProperty().get();
        return switch (mode) {
            case ADD -> "The value is saved in " + store + ". Services refer to it in services.json as "
                    + "credential:<name>.";
            case EDIT -> "Type a new value, or press Show to see the stored one. Saving replaces it in " + store + ".";
            case SET -> join(usedBy) + (usedBy.size() == 1 ? " uses" : " use") + " this credential, but it is not set yet. "
                    + "The value is saved in " + store + ".";
        };
    }

    public String saveLabel() {
        return mode == Mode.ADD ? "Add" : "Save";
    }

    /** Services that use the credential (for a new name: those that refer to the name typed so far). */
    public List<String> usedBy() {
        if (fixedName != null) {
            return usedBy;
        }
        CredentialName parsed = parsedName();
        return parsed == null ? List.of() : owner.usedBy(parsed);
    }

    /**
     * Shows or hides the value. Showing an untouched field of a stored credential reads the stored value now;
     * otherwise it shows what was typed.
     */
    public CompletableFuture<Void> toggleReveal() {
        if (busy.get() || closed) {
            return CompletableFuture.completedFuture(null);
        }
        if (revealed.get()) {
            revealed.set(false);
            return CompletableFuture.completedFuture(null);
        }
        if (mode != Mode.EDIT || !value.get().isEmpty()) {
            revealed.set(true);
            return CompletableFuture.completedFuture(null);
        }
        CredentialName target = fixedName;
        busy.set(true);
        status.set(StatusMessage.busy("Reading " + target + "…"));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return owner.readSecret(target);
            } catch (CredentialException e) {
                throw new CompletionException(e);
            }
        }, owner.background).handleAsync((Optional<Secret> secret, Throwable error) -> {
            busy.set(false);
            if (closed) {
                return null; // the dialog closed meanwhile: the value must not come back into it
            }
            if (error != null) {
                LOG.warn("Reading credential {} failed: {}", target, CredentialsViewModel.describe(error));
                status.set(StatusMessage.error("Could not read " + target + ": " + CredentialsViewModel.describe(error)));
            } else if (secret.isEmpty()) {
                status.set(StatusMessage.warning(target + " is no longer stored; type a value to set it again."));
            } else {
                fromStore = secret.get();
                value.set(secret.get().reveal());
                revealed.set(true);
                status.set(StatusMessage.NONE);
            }
            return null;
        }, owner.ui);
    }

    /**
     * Validates and writes the value through the credential facade, off the UI thread. On success the editor is
     * {@linkplain #doneProperty() done} and the tab lists the change and offers the restart.
     *
     * @return completes with whether the value was written
     */
    public CompletableFuture<Boolean> save() {
        if (busy.get() || closed || done.get()) {
            return CompletableFuture.completedFuture(false);
        }
        attempted = true;
        validate();
        if (!nameError.get().isEmpty() || !valueError.get().isEmpty()) {
            refusal = StatusMessage.error("Not saved: " + (!nameError.get().isEmpty() ? nameError.get() : valueError.get()));
            status.set(refusal);
            return CompletableFuture.completedFuture(false);
        }
        CredentialName target = parsedName();
        List<String> users = usedBy();
        String typed = value.get();
        if (fromStore != null && fromStore.reveal().equals(typed)) {
            owner.unchanged(target);
            done.set(true);
            return CompletableFuture.completedFuture(false);
        }
        Secret secret = Secret.of(typed);
        busy.set(true);
        status.set(StatusMessage.busy("Saving " + target + " in " + owner.backendProperty().get() + "…"));
        return CompletableFuture.supplyAsync(() -> {
            try {
                return owner.writeSecret(target, secret);
            } catch (CredentialException e) {
                throw new CompletionException(e);
            }
        }, owner.background).handleAsync((CredentialsViewModel.Read read, Throwable error) -> {
            busy.set(false);
            if (error != null) {
                String why = scrub(CredentialsViewModel.describe(error), typed);
                LOG.warn("Saving credential {} failed: {}", target, why);
                status.set(StatusMessage.error("Not saved: " + why));
                return false;
            }
            owner.saved(target, read, users);
            done.set(true);
            return true;
        }, owner.ui);
    }

    /** The dialog closed: forget the value and hide it. A reveal still running will not bring it back. */
    public void close() {
        closed = true;
        fromStore = null;
        revealed.set(false);
        value.set("");
    }

    private void validate() {
        if (mode == Mode.ADD) {
            String typed = name.get() == null ? "" : name.get().trim();
            if (typed.isEmpty()) {
                nameError.set(attempted ? NAME_REQUIRED : "");
            } else {
                try {
                    CredentialName parsed = CredentialName.parse(typed);
                    nameError.set(owner.isStored(parsed)
                            ? parsed + " already exists; close this and use Edit to change its value." : "");
                } catch (IllegalArgumentException e) {
                    nameError.set(capitalize(e.getMessage()) + ".");
                }
            }
        }
        String typedValue = value.get() == null ? "" : value.get();
        if (typedValue.isEmpty()) {
            valueError.set(attempted ? VALUE_REQUIRED : "");
        } else if (typedValue.isBlank()) {
            valueError.set(attempted ? VALUE_BLANK : "");
        } else {
            valueError.set("");
        }
        if (refusal != null && status.get() == refusal && nameError.get().isEmpty() && valueError.get().isEmpty()) {
            refusal = null;
            status.set(StatusMessage.NONE);
        }
    }

    /** The name to save under; null when the typed name is not valid. */
    private CredentialName parsedName() {
        if (fixedName != null) {
            return fixedName;
        }
        try {
            return CredentialName.parse(name.get() == null ? "" : name.get().trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Stores promise never to put a value in a message; this makes sure of it before the message is shown. */
    private static String scrub(String text, String secret) {
        return secret.isEmpty() || text == null ? text : text.replace(secret, "[secret]");
    }

    private static String capitalize(String text) {
        return text == null || text.isEmpty() ? "" : Character.toUpperCase(text.charAt(0)) + text.substring(1);
    }

    private static String join(List<String> names) {
        return CredentialsViewModel.join(names);
    }

    /** The credential's name; only editable when adding. */
    public StringProperty nameProperty() {
        return name;
    }

    /** The value as typed (or as Show read it). Its {@code toString()} is masked. */
    public StringProperty valueProperty() {
        return value;
    }

    public ReadOnlyBooleanProperty revealedProperty() {
        return revealed.getReadOnlyProperty();
    }

    /** What is wrong with the name; empty when nothing is. */
    public ReadOnlyStringProperty nameErrorProperty() {
        return nameError.getReadOnlyProperty();
    }

    /** What is wrong with the value; empty when nothing is. */
    public ReadOnlyStringProperty valueErrorProperty() {
        return valueError.getReadOnlyProperty();
    }

    public ReadOnlyBooleanProperty busyProperty() {
        return busy.getReadOnlyProperty();
    }

    /** True once saved (or found unchanged): the dialog closes. */
    public ReadOnlyBooleanProperty doneProperty() {
        return done.getReadOnlyProperty();
    }

    public ReadOnlyObjectProperty<StatusMessage> statusProperty() {
        return status.getReadOnlyProperty();
    }

    @Override
    public String toString() {
        return "CredentialEditor[" + mode + " " + (fixedName != null ? fixedName : "\"" + name.get() + "\"")
                + ", value " + (value.get().isEmpty() ? "empty" : "typed") + (revealed.get() ? ", shown" : "") + "]";
    }

    /** A string property that never prints its value (JavaFX's own toString() includes it). */
    static final class MaskedStringProperty extends SimpleStringProperty {
        MaskedStringProperty(Object bean, String name) {
            super(bean, name, "");
        }

        @Override
        public String toString() {
            return "MaskedStringProperty[" + getName() + ": " + (get() == null || get().isEmpty() ? "empty" : "[secret]")
                    + "]";
        }
    }
}
