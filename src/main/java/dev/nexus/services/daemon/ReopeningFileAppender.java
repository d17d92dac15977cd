package dev.nexus.services.daemon;

import ch.qos.logback.core.rolling.RollingFileAppender;
import dev.nexus.services.support.PrivateDirs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The engine's log file appender, which starts the file again when it was deleted underneath it (the
 * user cleared the log directory): a plain file appender keeps writing into the deleted file, and the
 * engine's log would be lost until the next restart. One {@code stat} per event; the engine logs a few
 * lines a minute.
 */
final class ReopeningFileAppender<E> extends RollingFileAppender<E> {
    private final Object reopening = new Object();
    private final EngineLogTrouble trouble;

    /** @param trouble told when a new file was started: a failure of the old one is over */
    ReopeningFileAppender(EngineLogTrouble trouble) {
        this.trouble = trouble;
    }

    @Override
    protected void subAppend(E event) {
        reopenIfGone();
        super.subAppend(event);
    }

    private void reopenIfGone() {
        String name = getFile();
        if (name == null || !isStarted()) {
            return;
        }
        Path file = Path.of(name);
        if (Files.exists(file)) {
            return;
        }
        synchronized (reopening) {
            if (Files.exists(file)) {
                return;
            }
            try {
                if (file.getParent() != null) {
                    PrivateDirs.create(file.getParent());
                }
                openFile(name);
                trouble.startedAgain();
                addInfo("Log file " + file + " was deleted; started it again");
            } catch (IOException e) {
                addError("Log file " + file + " was deleted and cannot be started again", e);
            }
        }
    }
}
