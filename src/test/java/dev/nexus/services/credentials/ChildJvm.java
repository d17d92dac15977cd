package dev.nexus.services.credentials;

import dev.nexus.services.fixtures.Fixtures;
import java.io.File;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Command lines for a test main run as a child JVM with the project's classes and the libraries the
 * credential code needs (JNA, Jackson, SLF4J + Logback), found from where those classes were loaded,
 * so it works whatever class path form the test runner uses.
 */
public final class ChildJvm {
    private static final List<String> LIBRARY_CLASSES = List.of(
            "com.sun.jna.Native",
            "com.fasterxml.jackson.databind.ObjectMapper",
            "com.fasterxml.jackson.core.JsonParser",
            "com.fasterxml.jackson.annotation.JsonProperty",
            "com.fasterxml.jackson.datatype.jsr310.JavaTimeModule",
            "org.slf4j.LoggerFactory",
            "ch.qos.logback.classic.Logger",
            "ch.qos.logback.core.Appender");

    private ChildJvm() {
    }

    /** {@code java <small-JVM flags> -cp <class path> <main> <args>}; JNA unpacks into the build dir, as in the tests. */
    public static List<String> command(Class<?> main, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Fixtures.javaBinary());
        command.addAll(List.of("-Xshare:auto", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xmx96m", "-XX:-UsePerfData"));
        String jnaTmp = System.getProperty("jna.tmpdir");
        if (jnaTmp != null) {
            command.add("-Djna.tmpdir=" + jnaTmp);
        }
        command.add("-cp");
        command.add(classPath(main));
        command.add(main.getName());
        command.addAll(args);
        return command;
    }

    static String classPath(Class<?> main) {
        Set<String> entries = new LinkedHashSet<>();
        entries.add(codeSource(main));
        entries.add(codeSource(Credentials.class));
        for (String name : LIBRARY_CLASSES) {
            try {
                entries.add(codeSource(Class.forName(name, false, ChildJvm.class.getClassLoader())));
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(name + " is not on the test class path", e);
            }
        }
        return String.join(File.pathSeparator, entries);
    }

    private static String codeSource(Class<?> type) {
        try {
            return Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("cannot tell where " + type.getName() + " was loaded from", e);
        }
    }
}
