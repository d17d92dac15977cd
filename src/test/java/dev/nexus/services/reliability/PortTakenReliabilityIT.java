package dev.nexus.services.reliability;

import static dev.nexus.services.reliability.FaultRig.healthy;
import static dev.nexus.services.reliability.FaultRig.service;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.it.Launcher;
import dev.nexus.services.it.Wait;
import dev.nexus.services.supervise.Ports;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A port taken by a process the engine did not start (a separate program, started by the test): the
 * service is FAILED(port_in_use) naming the holder's pid and program, it is not retried in a loop, and
 * the holder is never signalled: not by {@code start}, {@code restart}, {@code up}, {@code stop}, an
 * engine killed and started again, nor when the port is taken while the service waits to restart after
 * a crash. {@code doctor} names the holder too. Once the holder is gone, {@code start} works.
 * Short: 5 rounds of those commands; long: 20.
 */
class PortTakenReliabilityIT {
    @TempDir
    Path dir;

    @Test
    void aForeignListenerMakesTheServiceFailedPortInUseNamingItAndIsNeverKilled() throws Exception {
        int rounds = ReliabilityMode.current().pick(5, 20);
        ScenarioFigures.run("port-taken", figures -> {
            try (FaultRig rig = FaultRig.in(dir)) {
                int squatted = FaultCatalog.freePort();
                int later = FaultCatalog.freePort();
                ObjectNode crashy = FaultCatalog.daemon(rig, "later", later, "--listen", String.valueOf(later));
                // A long enough backoff for the test to take the port while the service waits to restart.
                ObjectNode restart = (ObjectNode) crashy.get("restart");
                restart.put("initialDelay", "3s").put("maxDelay", "3s");
                ((ObjectNode) restart.get("crashLoop")).put("maxDelay", "3s");
                rig.writeCatalog(new FaultCatalog()
                        .add(FaultCatalog.daemon(rig, "squatted", squatted, "--listen", String.valueOf(squatted)))
                        .add(crashy)
                        .text());
                Process holder = foreignListener(squatted);
                try {
                    long holderPid = holder.pid();
                    Wait.until("the foreign program listening on " + squatted, FaultRig.WAIT,
                            () -> Ports.listenerPid(squatted).orElse(-1) == holderPid);

                    long began = System.nanoTime();
                    Launcher.Result up = rig.cli("up");
                    assertEquals(1, up.exit(), "up is not all healthy: " + up);
                    long toFailedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - began);
                    assertFailedNaming(rig.snapshot(), "squatted", squatted, holderPid);
                    assertTrue(up.out().contains("failed (port_in_use)"), up.toString());
                    assertTrue(up.out().contains("in use by pid " + holderPid + " (java)"), up.toString());

                    List<String> commands = List.of("start", "restart", "up", "stop", "engine-kill");
                    int attempts = 0;
                    for (int round = 0; round < rounds; round++) {
                        for (String command : commands) {
                            attempts++;
                            switch (command) {
                                case "up" -> rig.cli("up");
                                case "engine-kill" -> {
                                    long engine = rig.snapshot().path("engine").path("pid").asLong();
                                    assertTrue(ProcessHandle.of(engine).orElseThrow().destroyForcibly());
                                    FaultRig.awaitDead(engine);
                                    rig.startEngine();
                                    rig.call("start", FaultRig.services("squatted"), Duration.ofSeconds(60));
                                }
                                default -> rig.cli(command, "squatted");
                            }
                            assertTrue(holder.isAlive(), "the foreign program lives after " + command);
                            assertEquals(holderPid, Ports.listenerPid(squatted).orElse(-1),
                                    "and still holds its port after " + command);
                            JsonNode s = service(rig.snapshot(), "squatted");
                            if (!command.equals("stop")) {
                                assertFailedNaming(rig.snapshot(), "squatted", squatted, holderPid);
                            } else {
                                assertEquals("STOPPED", s.path("lifecycle").asText(), s.toPrettyString());
                            }
                            assertEquals(0, s.path("restarts").asInt(), "never retried in a loop: " + s.toPrettyString());
                            assertEquals(List.of(), FaultRig.withMarker(rig.processes(), FaultCatalog.marker(rig, "squatted")),
                                    "the service's own program never ran");
                        }
                    }

                    Launcher.Result doctor = rig.cli("doctor");
                    assertTrue(doctor.out().contains("squatted: port " + squatted + " is in use by pid " + holderPid),
                            "doctor names the holder: " + doctor);

                    // The port taken while the service waits to restart after a crash.
                    JsonNode laterUp = rig.awaitSnapshot("later healthy", snap -> healthy(service(snap, "later")));
                    long laterPid = service(laterUp, "later").path("pid").asLong();
                    assertTrue(ProcessHandle.of(laterPid).orElseThrow().destroyForcibly());
                    rig.awaitSnapshot("later waiting to restart", snap ->
                            service(snap, "later").path("lifecycle").asText().equals("BACKOFF"));
                    Process second = foreignListener(later);
                    try {
                        Wait.until("the second foreign program listening", FaultRig.WAIT,
                                () -> Ports.listenerPid(later).orElse(-1) == second.pid());
                        JsonNode failed = rig.awaitSnapshot("later failed at its restart", snap ->
                                service(snap, "later").path("lifecycle").asText().equals("FAILED"));
                        assertFailedNaming(failed, "later", later, second.pid());
                        assertTrue(second.isAlive(), "the program that took the port in the meantime lives");

                        // Once the holders are gone the services start.
                        holder.destroy();
                        second.destroy();
                        assertTrue(holder.waitFor(20, TimeUnit.SECONDS) && second.waitFor(20, TimeUnit.SECONDS));
                        Wait.until("the ports free", FaultRig.WAIT, () -> !Ports.isListening(squatted) && !Ports.isListening(later));
                        rig.expect(0, "start", "squatted", "later");
                    } finally {
                        second.destroyForcibly();
                    }
                    figures.put("rounds", rounds).put("commandsTried", attempts)
                            .put("holderKilled", false).put("upToFailedPortInUseMs", toFailedMs)
                            .put("restartsWhileTaken", 0);
                } finally {
                    holder.destroyForcibly();
                }
            }
        });
    }

    /** A program the engine knows nothing of, listening on {@code port}. */
    private Process foreignListener(int port) throws Exception {
        List<String> command = new ArrayList<>(Fixtures.command("--listen", String.valueOf(port)));
        return new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(dir.resolve("foreign-" + port + ".out").toFile()).start();
    }

    private static void assertFailedNaming(JsonNode snapshot, String name, int port, long holder) {
        JsonNode s = service(snapshot, name);
        assertEquals("FAILED", s.path("lifecycle").asText(), s.toPrettyString());
        assertEquals("port_in_use", s.path("failure").asText(), s.toPrettyString());
        assertTrue(s.path("message").asText().startsWith("port " + port + " is already in use by pid " + holder + " (java)"),
                "names the holder: " + s.path("message").asText());
        assertTrue(s.path("nextRestartAt").isNull(), "no restart planned: " + s.toPrettyString());
        assertFalse(s.path("pid").isNumber(), s.toPrettyString());
    }
}
