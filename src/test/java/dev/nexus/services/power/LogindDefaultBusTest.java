package dev.nexus.services.power;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nexus.services.credentials.ChildJvm;
import dev.nexus.services.credentials.HostOs;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The production path: no address given, so sd_bus_open_system finds the bus through
 * DBUS_SYSTEM_BUS_ADDRESS, set only in a child JVM's environment (this JVM's stays untouched).
 */
class LogindDefaultBusTest {
    @TempDir
    Path dir;

    @Test
    void withoutAnAddressTheSourceUsesTheSystemBusNamedInTheEnvironment() throws Exception {
        assumeTrue(HostOs.CURRENT == HostOs.LINUX, "logind is Linux only");
        assumeTrue(PrivateSystemBus.toolsInstalled(), "dbus-daemon, dbus-send and python3-dbus/python3-gi are needed");
        try (PrivateSystemBus bus = PrivateSystemBus.start(dir); LogindStandIn logind = bus.startLogind()) {
            ProcessBuilder builder = new ProcessBuilder(ChildJvm.command(LogindDefaultBusMain.class, List.of()));
            builder.environment().putAll(bus.clientEnv());
            builder.redirectError(dir.resolve("child.err").toFile());
            Process child = builder.start();
            try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                String started = out.readLine();
                assertEquals("started " + logind.uniqueName() + " true", started,
                        () -> java.nio.file.Files.exists(dir.resolve("child.err")) ? read(dir.resolve("child.err")) : "");
                assertEquals(1, logind.heldDelayLocks());

                assertTrue(logind.sleep(Duration.ofSeconds(5)).released());
                assertEquals("event SLEEP logind", out.readLine());
                logind.wake();
                assertEquals("event WAKE logind", out.readLine());
                Await.until("the lock taken again by the child", Duration.ofSeconds(10), () -> held(logind) == 1);

                child.getOutputStream().close();
                assertTrue(child.waitFor(20, TimeUnit.SECONDS), "the child exits when told");
                assertEquals(0, child.exitValue(), read(dir.resolve("child.err")));
                assertEquals(0, logind.heldDelayLocks(), "closing the source let go of the lock");
            } finally {
                child.destroyForcibly();
            }
        }
    }

    private static int held(LogindStandIn logind) {
        try {
            return logind.heldDelayLocks();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String read(Path file) {
        try {
            return java.nio.file.Files.readString(file);
        } catch (java.io.IOException e) {
            return e.toString();
        }
    }
}
