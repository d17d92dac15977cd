package dev.nexus.services.manager;

import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A file an install writes: a unit, a plist, a task definition, a .desktop entry. Its content never holds a
 * secret: services get credentials from the {@code nexus-services exec} shim at start.
 *
 * @param executable whether it must be marked executable (autostart entries are not; scripts would be)
 * @param charset    how the content is encoded on disk: UTF-8 for everything but Windows task definitions,
 *                   which {@code schtasks /Create /XML} reads as UTF-16LE with a byte order mark
 */
public record GeneratedFile(Path path, String content, boolean executable, Charset charset) {
    public GeneratedFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(charset, "charset");
    }

    public GeneratedFile(Path path, String content, boolean executable) {
        this(path, content, executable, StandardCharsets.UTF_8);
    }

    public static GeneratedFile of(Path path, String content) {
        return new GeneratedFile(path, content, false, StandardCharsets.UTF_8);
    }

    public static GeneratedFile of(Path path, String content, Charset charset) {
        return new GeneratedFile(path, content, false, charset);
    }

    /**
     * The bytes written to disk. UTF-16LE gets its byte order mark (FF FE): Java's UTF-16LE encoder writes
     * none, and Windows tools guess the encoding of an unmarked file from the system code page. UTF-8 gets
     * none: plists, units and desktop entries are read as plain UTF-8.
     */
    public byte[] bytes() {
        ByteBuffer encoded = charset.encode(content);
        boolean bom = charset.equals(StandardCharsets.UTF_16LE);
        byte[] out = new byte[encoded.remaining() + (bom ? 2 : 0)];
        int offset = 0;
        if (bom) {
            out[0] = (byte) 0xFF;
            out[1] = (byte) 0xFE;
            offset = 2;
        }
        encoded.get(out, offset, encoded.remaining());
        return out;
    }
}
