package dev.nexus.services.support;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

/** I/O failures in words for people, without Java class names. */
public final class IoMessages {
    private IoMessages() {
    }

    public static String describe(IOException e) {
        if (e instanceof AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        if (e instanceof NoSuchFileException n) {
            return "no such file or directory: " + n.getFile();
        }
        if (e instanceof NotDirectoryException n) {
            return "not a directory: " + n.getFile();
        }
        if (e instanceof FileAlreadyExistsException f) {
            return "a file is in the way where a directory is needed: " + f.getFile();
        }
        if (e instanceof FileSystemException f) {
            String reason = f.getReason() != null ? f.getReason() : "cannot be written";
            return f.getFile() != null ? reason + ": " + f.getFile() : reason;
        }
        return e.getMessage() != null ? e.getMessage() : "input/output error";
    }
}
