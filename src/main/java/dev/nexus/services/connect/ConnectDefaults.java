package dev.nexus.services.connect;

import java.net.http.HttpClient;
import java.util.ArrayDeque;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What connections share by default, so the thread count does not grow with the number of sessions:
 * one HTTP client (JDK 17's has no close; its selector thread lives as long as it is reachable) with a
 * two-thread pool for every socket callback, and one timer thread. All threads are daemons and idle
 * pool threads time out.
 */
public final class ConnectDefaults {
    private static final Logger LOG = LoggerFactory.getLogger(ConnectDefaults.class);
    private static HttpClient http;
    private static ScheduledThreadPoolExecutor timer;

    private ConnectDefaults() {
    }

    public static synchronized HttpClient http() {
        if (http == null) {
            ThreadPoolExecutor io = new ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                    daemons("nexus-connect-io-"));
            io.allowCoreThreadTimeOut(true);
            http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10))
                    .executor(io)
                    .build();
        }
        return http;
    }

    /** Runs timers only; nothing slow may run on it. */
    public static synchronized ConnectTimer timer() {
        if (timer == null) {
            timer = new ScheduledThreadPoolExecutor(1, daemons("nexus-connect-timer-"));
            timer.setRemoveOnCancelPolicy(true);
        }
        return ConnectTimer.of(timer);
    }

    /** An executor that runs tasks one at a time, in order, on the common pool: for state callbacks. */
    public static Executor serial() {
        return new SerialExecutor(ForkJoinPool.commonPool());
    }

    private static ThreadFactory daemons(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /** Tasks in submission order, one at a time, on a shared pool. */
    static final class SerialExecutor implements Executor {
        private final Executor pool;
        private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
        private boolean running;

        SerialExecutor(Executor pool) {
            this.pool = pool;
        }

        @Override
        public void execute(Runnable task) {
            synchronized (this) {
                queue.add(task);
                if (running) {
                    return;
                }
                running = true;
            }
            pool.execute(this::drain);
        }

        private void drain() {
            while (true) {
                Runnable next;
                synchronized (this) {
                    next = queue.poll();
                    if (next == null) {
                        running = false;
                        return;
                    }
                }
                try {
                    next.run();
                } catch (RuntimeException e) {
                    LOG.warn("A connection callback failed", e);
                }
            }
        }
    }
}
