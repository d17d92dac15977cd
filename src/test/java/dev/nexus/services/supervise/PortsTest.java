package dev.nexus.services.supervise;

import static dev.nexus.services.supervise.TestSupport.await;
import static dev.nexus.services.supervise.TestSupport.awaitFile;
import static dev.nexus.services.supervise.TestSupport.request;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.nexus.services.fixtures.Fixtures;
import dev.nexus.services.support.NexusPaths;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PortsTest {
    @TempDir
    Path root;

    private static ServerSocket listenOnLoopback() throws Exception {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        return server;
    }

    @Test
    void listenerPidFindsTheFixtureThatListens() throws Exception {
        assumeTrue(OperatingSystem.CURRENT == OperatingSystem.LINUX, "listener pids come from /proc");
        Path work = Files.createDirectories(root.resolve("work"));
        Path portFile = root.resolve("port");
        ChildLauncher launcher = new ChildLauncher(new NexusPaths(root), new RecordingSinks(), Clock.systemUTC());
        ChildProcess child = launcher.launch(request("listener", work,
                Fixtures.command("--listen", "0", "--port-file", portFile.toString())));
        try {
            int port = Integer.parseInt(awaitFile(portFile, Duration.ofSeconds(20)));

            assertTrue(Ports.isListening(port));
            assertEquals(OptionalLong.of(child.pid()), Ports.listenerPid(port));
        } finally {
            await(child.stop(Duration.ofSeconds(5)), Duration.ofSeconds(10));
        }
    }

    @Test
    void fixtureAnswersHttpAfterItsSlowStartUnlessItHangs() throws Exception {
        Path answering = root.resolve("answering.port");
        Path hanging = root.resolve("hanging.port");
        Process ok = new ProcessBuilder(Fixtures.command("--listen", "0", "--slow-start", "200ms", "--port-file", answering.toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        Process hang = new ProcessBuilder(Fixtures.command("--listen", "0", "--hang", "--port-file", hanging.toString()))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            int okPort = Integer.parseInt(awaitFile(answering, Duration.ofSeconds(20)));
            int hangPort = Integer.parseInt(awaitFile(hanging, Duration.ofSeconds(20)));

            assertTrue(httpGet(okPort).startsWith("HTTP/1.1 200 OK"), "answers");
            assertThrows(java.net.SocketTimeoutException.class, () -> httpGet(hangPort), "accepts, never answers");
        } finally {
            ok.destroyForcibly();
            hang.destroyForcibly();
        }
    }

    private static String httpGet(int port) throws Exception {
        try (java.net.Socket socket = new java.net.Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(300);
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    @Test
    void ownListenerIsFoundAndAwaitFreeSeesItGo() throws Exception {
        ServerSocket server = listenOnLoopback();
        int port = server.getLocalPort();
        try {
            assertTrue(Ports.isListening(port));
            if (OperatingSystem.CURRENT == OperatingSystem.LINUX) {
                assertEquals(OptionalLong.of(ProcessHandle.current().pid()), Ports.listenerPid(port));
            }
            long begin = System.nanoTime();
            assertFalse(Ports.awaitFree(port, Duration.ofMillis(150)), "still taken");
            assertTrue((System.nanoTime() - begin) / 1_000_000 >= 150, "waited the whole timeout");
        } finally {
            server.close();
        }
        assertTrue(Ports.awaitFree(port, Duration.ofSeconds(2)));
        assertFalse(Ports.isListening(port));
        assertEquals(OptionalLong.empty(), Ports.listenerPid(port));
    }

    @Test
    void awaitFreeReturnsOnceTheListenerCloses() throws Exception {
        ServerSocket server = listenOnLoopback();
        int port = server.getLocalPort();
        Thread closer = new Thread(() -> {
            TestSupport.sleep(200);
            try {
                server.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        closer.start();
        long begin = System.nanoTime();
        assertTrue(Ports.awaitFree(port, Duration.ofSeconds(5)));
        long took = (System.nanoTime() - begin) / 1_000_000;
        assertTrue(took < 2000, "noticed the free port after " + took + " ms");
        closer.join();
    }

    @Test
    void aConnectedClientSocketIsNotAListener() throws Exception {
        try (ServerSocket server = listenOnLoopback();
             java.net.Socket client = new java.net.Socket(InetAddress.getLoopbackAddress(), server.getLocalPort());
             java.net.Socket accepted = server.accept()) {
            int clientPort = client.getLocalPort();
            assertFalse(Ports.isListening(clientPort), "the client's own port is connected, not listening");
            assertTrue(accepted.isConnected());
        }
    }

    @Test
    void procTableLinesAreParsed() {
        String v4 = "   1: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 123456 1 0000000000000000 100 0 0 10 0";
        String v6 = "   0: 00000000000000000000000001000000:4743 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 777 1 0000000000000000 100 0 0 10 0";
        String established = "   2: 0100007F:1F90 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 999 1 0000000000000000 20 4 30 10 -1";
        assertEquals("123456", Ports.listeningInode(v4, 8080));
        assertNull(Ports.listeningInode(v4, 8081));
        assertEquals("777", Ports.listeningInode(v6, 18243));
        assertNull(Ports.listeningInode(established, 8080));
        assertNull(Ports.listeningInode("  sl  local_address rem_address   st tx_queue rx_queue", 8080));
    }

    @Test
    void portsOutsideTheRangeAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Ports.isListening(0));
        assertThrows(IllegalArgumentException.class, () -> Ports.listenerPid(65536));
    }
}
