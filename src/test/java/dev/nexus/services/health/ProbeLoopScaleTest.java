package dev.nexus.services.health;

import static dev.nexus.services.health.ProbeTestSupport.LOOPBACK;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.catalog.ProbeCheck;
import dev.nexus.services.catalog.ProbeSpec;
import dev.nexus.services.health.ProbeResult.Outcome;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Real loops with real tcp probes: the thread count must not grow with the number of services. */
class ProbeLoopScaleTest {
    private static final Logger LOG = LoggerFactory.getLogger(ProbeLoopScaleTest.class);

    @TempDir
    Path tmp;

    @Test
    void fiveHundredTcpLoopsEverySecondUseAHandfulOfThreads() throws Exception {
        int services = 500;
        try (ServerSocketChannel server = ServerSocketChannel.open()) {
            server.bind(new InetSocketAddress(LOOPBACK, 0), 1024);
            int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
            AtomicLong accepted = new AtomicLong();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        SocketChannel c = server.accept();
                        accepted.incrementAndGet();
                        c.close();
                    }
                } catch (IOException e) {
                    // closed at the end of the test
                }
            }, "test-acceptor");
            acceptor.setDaemon(true);
            acceptor.start();

            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            int baseline = threads.getThreadCount();
            threads.resetPeakThreadCount();
            long cpuBefore = processCpuNanos();
            long wallBefore = System.nanoTime();

            ScheduledThreadPoolExecutor timer = ProbeTestSupport.newTimer();
            ExecutorService events = Executors.newSingleThreadExecutor(r -> new Thread(r, "test-engine-events"));
            ProbeFactory factory = new ProbeFactory(timer, tmp.resolve("scratch"), Clock.systemUTC());
            ConcurrentHashMap<Integer, AtomicInteger> okCounts = new ConcurrentHashMap<>();
            AtomicInteger failures = new AtomicInteger();
            List<ProbeLoop> loops = new ArrayList<>();
            try {
                ProbeSpec spec = new ProbeSpec(new ProbeCheck.Tcp("127.0.0.1", port), Duration.ZERO,
                        Duration.ofSeconds(1), Duration.ofSeconds(2), 3, 1);
                for (int i = 0; i < services; i++) {
                    int id = i;
                    okCounts.put(id, new AtomicInteger());
                    Probe probe = factory.create(spec.check(), spec.timeout(), () -> -1);
                    ProbeLoop loop = new ProbeLoop("svc-" + i, spec, probe, timer, Clock.systemUTC(), events,
                            (r, v, changed) -> {
                                if (r.outcome() == Outcome.OK) {
                                    okCounts.get(id).incrementAndGet();
                                } else {
                                    failures.incrementAndGet();
                                }
                            });
                    loops.add(loop);
                }
                loops.forEach(ProbeLoop::start);

                ProbeTestSupport.waitUntil(Duration.ofSeconds(15),
                        () -> okCounts.values().stream().allMatch(n -> n.get() >= 3),
                        () -> okCounts.values().stream().filter(n -> n.get() < 3).count()
                                + " loops have fewer than 3 OK results; failures " + failures.get());

                int peak = threads.getPeakThreadCount();
                double seconds = (System.nanoTime() - wallBefore) / 1e9;
                double cpuShare = (processCpuNanos() - cpuBefore) / 1e9 / seconds;
                LOG.info("{} tcp loops for {} s: threads baseline {} peak {}, process CPU {} % of one core "
                                + "(includes the test's own acceptor), {} connections accepted", services,
                        String.format("%.1f", seconds), baseline, peak, String.format("%.1f", cpuShare * 100),
                        accepted.get());
                assertEquals(0, failures.get(), "tcp probes to a healthy server failed");
                assertTrue(peak - baseline < 10, "thread count grew from " + baseline + " to " + peak);
                assertTrue(loops.stream().allMatch(l -> l.verdict() == Verdict.PASSING));
                assertTrue(loops.stream().allMatch(l -> l.lastSuccessLatency() != null));
            } finally {
                loops.forEach(ProbeLoop::stop);
                factory.close();
                timer.shutdownNow();
                events.shutdownNow();
            }
        }
    }

    private static long processCpuNanos() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getProcessCpuTime();
        }
        return 0;
    }

    @Test
    void realTcpLoopPassesThenFailsWhenTheServiceGoesAway() throws IOException {
        ScheduledThreadPoolExecutor timer = ProbeTestSupport.newTimer();
        ProbeFactory factory = new ProbeFactory(timer, tmp.resolve("scratch"), Clock.systemUTC());
        List<Verdict> changes = new java.util.concurrent.CopyOnWriteArrayList<>();
        ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
        int port = server.getLocalPort();
        ProbeSpec spec = new ProbeSpec(new ProbeCheck.Tcp("127.0.0.1", port), Duration.ZERO, Duration.ofMillis(50),
                Duration.ofSeconds(1), 2, 1);
        ProbeLoop loop = new ProbeLoop("real", spec, factory.create(spec.check(), spec.timeout(), () -> -1), timer,
                Clock.systemUTC(), Runnable::run, (r, v, changed) -> {
                    if (changed) {
                        changes.add(v);
                    }
                });
        try {
            loop.start();
            ProbeTestSupport.waitUntil(Duration.ofSeconds(5), () -> loop.verdict() == Verdict.PASSING,
                    () -> "verdict " + loop.verdict());
            server.close();
            ProbeTestSupport.waitUntil(Duration.ofSeconds(5), () -> loop.verdict() == Verdict.FAILING,
                    () -> "verdict " + loop.verdict());
            assertEquals("connection refused (127.0.0.1:" + port + ")", loop.lastResult().message());
            assertEquals(List.of(Verdict.PASSING, Verdict.FAILING), changes);
            assertTrue(loop.lastSuccessLatency().compareTo(Duration.ZERO) > 0);
        } finally {
            loop.stop();
            server.close();
            factory.close();
            timer.shutdownNow();
        }
    }
}
