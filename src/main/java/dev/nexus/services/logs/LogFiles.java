package dev.nexus.services.logs;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Naming of a log file and its rotated predecessors: {@code app.log}, {@code app.log.1} (newest) … */
public final class LogFiles {
    private LogFiles() {
    }

    /** {@code file} itself for index 0, else {@code file.<index>}. */
    public static Path rotated(Path file, int index) {
        if (index < 0) {
            throw new IllegalArgumentException("rotation index must be 0 or more, got " + index + " for " + file);
        }
        return index == 0 ? file : file.resolveSibling(file.getFileName() + "." + index);
    }

    /**
     * The files that exist now, newest first: the file itself (when present) then {@code file.1},
     * {@code file.2} … up to the first index that is missing.
     */
    public static List<Path> existing(Path file) {
        List<Path> files = new ArrayList<>();
        if (Files.exists(file)) {
            files.add(file);
        }
        for (int i = 1; ; i++) {
            Path older = rotated(file, i);
            if (!Files.exists(older)) {
                return files;
            }
            files.add(older);
        }
    }
}
