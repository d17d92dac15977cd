package dev.nexus.services.supervise;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where a child's output bytes go. The engine supplies rotating, redacting log writers; the
 * launcher only moves bytes. A sink must not throw on write failures it can survive (disk full),
 * so a service keeps running when its log cannot be written.
 */
@FunctionalInterface
public interface OutputSinks {
    OutputStream open(LaunchRequest request, boolean stderr) throws IOException;
}
