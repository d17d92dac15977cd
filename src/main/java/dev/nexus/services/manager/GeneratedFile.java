package dev.nexus.services.manager;

import java.nio.file.Path;

/**
 * A file an install writes: a unit, a plist, a task definition, a .desktop entry. Its content never holds a
 * secret: services get credentials from the {@code nexus-services exec} shim at start.
 *
 * @param executable whether it must be marked executable (autostart entries are not; scripts would be)
 */
public record GeneratedFile(Path path, String content, boolean executable) {
    public static GeneratedFile of(Path path, String content) {
        return new GeneratedFile(path, content, false);
    }
}
