package dev.nexus.services.power.linux;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import dev.nexus.services.credentials.HostOs;
import dev.nexus.services.power.SleepWakeEvent;
import dev.nexus.services.power.SleepWakeListener;
import dev.nexus.services.power.SleepWakeSource;
import dev.nexus.services.power.SourceUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sleep and wake from systemd-logind on the system bus, through libsystemd's sd-bus (JNA).
 *
 * <ul>
 *   <li>Listens for {@code PrepareForSleep(b)} of {@code org.freedesktop.login1.Manager} and accepts it
 *       only from the unique name that owns {@code org.freedesktop.login1} (asked with GetNameOwner and
 *       followed through NameOwnerChanged): anyone on the bus can send that signal, even straight to
 *       this connection.</li>
 *   <li>Holds a {@code delay} inhibitor lock (logind's Inhibit returns a file descriptor; the lock is
 *       held while that fd is open). On PrepareForSleep(true) it tells the listener and closes the fd
 *       once the listener's stage completes or {@code prepareLimit} passes, so the machine sleeps with
 *       probes paused and sessions closed; on PrepareForSleep(false) it takes a new lock.</li>
 *   <li>Runs its own thread: poll on the bus fd and an eventfd (to be woken for a release or close),
 *       then sd_bus_process. If the bus goes away it reconnects with a growing delay.</li>
 * </ul>
 *
 * <p>Not available (the monitor falls back quietly) off Linux, without libsystemd, or when the system
 * bus cannot be reached. {@code busAddress} null means the system bus as sd_bus_open_system finds it
 * ({@code DBUS_SYSTEM_BUS_ADDRESS}, else /run/dbus/system_bus_socket); tests pass a private bus.
 */
public final class LogindSleepSource implements SleepWakeSource {
    private static final Logger LOG = LoggerFactory.getLogger(LogindSleepSource.class);
    public static final String ID = "logind";
    public static final String DEFAULT_LIBRARY = "libsystemd.so.0";
    /** logind waits InhibitDelayMaxSec (5 s by default) for delay locks; let go well before. */
    public static final Duration DEFAULT_PREPARE_LIMIT = Duration.ofSeconds(3);

    static final String LOGIND = "org.freedesktop.login1";
    static final String LOGIND_PATH = "/org/freedesktop/login1";
    static final String MANAGER = "org.freedesktop.login1.Manager";
    static final String DBUS = "org.freedesktop.DBus";
    static final String WHO = "Nexus Services";
    static final String WHY = "pausing services before sleep";

    private static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    private static final long CALL_TIMEOUT_USEC = 5_000_000;
    private static final long MAX_RECONNECT_DELAY_MILLIS = 30_000;

    private final String busAddress;
    private final String library;
    private final Duration prepareLimit;
    private final Clock clock;

    private final Object lifecycle = new Object();
    private Thread thread;
    private EventLoop loop;

    // What the loop thread publishes, for status and tests.
    private volatile String uniqueName;
    private volatile String logindOwner;
    private volatile boolean holdsLock;
    private final AtomicLong locksTaken = new AtomicLong();
    private final AtomicLong ignoredSignals = new AtomicLong();

    /** On the system bus, with libsystemd.so.0 and the default limit. */
    public LogindSleepSource() {
        this(null, DEFAULT_LIBRARY, DEFAULT_PREPARE_LIMIT, Clock.systemUTC());
    }

    /**
     * @param busAddress   a D-Bus address ("unix:path=/tmp/x/bus"), or null for the system bus
     * @param library      the libsystemd to load
     * @param prepareLimit how long a sleep is held back at most while the listener prepares
     * @param clock        stamps the events
     */
    public LogindSleepSource(String busAddress, String library, Duration prepareLimit, Clock clock) {
        this.busAddress = busAddress;
        this.library = Objects.requireNonNull(library, "library");
        this.prepareLimit = Objects.requireNonNull(prepareLimit, "prepareLimit");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public boolean announcesSleep() {
        return true;
    }

    @Override
    public void start(SleepWakeListener listener) throws SourceUnavailableException {
        Objects.requireNonNull(listener, "listener");
        if (HostOs.CURRENT != HostOs.LINUX) {
            throw new SourceUnavailableException("logind is only used on Linux");
        }
        SdBus sd;
        LinuxLibc libc;
        try {
            sd = SdBus.load(library);
            libc = LinuxLibc.get();
        } catch (UnsatisfiedLinkError e) {
            throw new SourceUnavailableException("libsystemd is not installed (" + library + " could not be loaded)", e);
        }
        EventLoop next;
        synchronized (lifecycle) {
            if (loop != null) {
                throw new IllegalStateException("the logind source was already started");
            }
            next = new EventLoop(sd, libc, listener);
            loop = next;
            thread = new Thread(next, "nexus-logind");
            thread.setDaemon(true);
            thread.start();
        }
        try {
            next.opened.get(START_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            close();
            throw e.getCause() instanceof SourceUnavailableException u ? u
                    : new SourceUnavailableException(String.valueOf(e.getCause()), e.getCause());
        } catch (TimeoutException e) {
            close();
            throw new SourceUnavailableException("the system bus did not answer within " + START_TIMEOUT.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
            throw new SourceUnavailableException("interrupted while connecting to the system bus");
        }
    }

    /** This connection's unique name on the bus (":1.42"), or null while not connected. */
    public String uniqueName() {
        return uniqueName;
    }

    /** The unique name that owns org.freedesktop.login1, or null when none does. */
    public String logindOwner() {
        return logindOwner;
    }

    /** True while the delay inhibitor lock is held. */
    public boolean holdsDelayLock() {
        return holdsLock;
    }

    /** How many delay locks were taken so far. */
    public long locksTaken() {
        return locksTaken.get();
    }

    /** How many PrepareForSleep signals from senders other than logind were ignored. */
    public long ignoredSignals() {
        return ignoredSignals.get();
    }

    @Override
    public void close() {
        Thread t;
        synchronized (lifecycle) {
            if (loop == null) {
                return;
            }
            loop.stop();
            t = thread;
        }
        try {
            t.join(START_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (t.isAlive()) {
            LOG.warn("logind: the bus thread did not stop within {} s", START_TIMEOUT.toSeconds());
        }
    }

    /** A negative return from sd-bus or libc, with the call's name and errno's text. */
    private static final class BusException extends Exception {
        private static final long serialVersionUID = 1L;

        BusException(String message) {
            super(message);
        }
    }

    /** All native state; every method but {@link #stop} and {@link #wakeUp} runs on the loop thread. */
    private final class EventLoop implements Runnable {
        final SdBus sd;
        final LinuxLibc libc;
        final SleepWakeListener listener;
        final CompletableFuture<Void> opened = new CompletableFuture<>();
        /** Work handed to the loop from other threads (a finished preparation). */
        final Queue<Runnable> commands = new ConcurrentLinkedQueue<>();
        /** Accepted PrepareForSleep arguments, in order, acted on after sd_bus_process returns. */
        final Queue<Boolean> signals = new ArrayDeque<>();
        // Strong references: JNA callbacks must outlive the bus that calls them.
        final SdBus.MessageHandler onPrepareForSleep = this::onPrepareForSleep;
        final SdBus.MessageHandler onNameOwnerChanged = this::onNameOwnerChanged;
        final Memory pollFds = new Memory(16);

        /** Guarded by itself: the eventfd is closed by the loop and written by other threads. */
        final Object wakeLock = new Object();
        int wakeFd = -1;
        volatile boolean stopping;

        Pointer bus;
        String owner;
        int lockFd = -1;
        boolean sleeping;
        int sleepGeneration;
        long releaseDeadlineNanos;
        long sleepAnnouncedNanos;

        EventLoop(SdBus sd, LinuxLibc libc, SleepWakeListener listener) {
            this.sd = sd;
            this.libc = libc;
            this.listener = listener;
        }

        @Override
        public void run() {
            try {
                int fd = libc.eventfd(0, LinuxLibc.EFD_CLOEXEC | LinuxLibc.EFD_NONBLOCK);
                if (fd < 0) {
                    throw new BusException("eventfd failed: " + libc.strerror(Native.getLastError()));
                }
                synchronized (wakeLock) {
                    wakeFd = fd;
                }
                connect();
                opened.complete(null);
            } catch (BusException | RuntimeException e) {
                disconnect();
                closeWakeFd();
                opened.completeExceptionally(new SourceUnavailableException(
                        (busAddress == null ? "no system bus" : "no bus at " + busAddress) + ": " + e.getMessage(), e));
                return;
            }
            long reconnectDelay = 1000;
            while (!stopping) {
                if (bus == null) {
                    waitForWakeUp(reconnectDelay);
                    if (stopping) {
                        break;
                    }
                    try {
                        connect();
                        LOG.info("logind: connected to the system bus again");
                        reconnectDelay = 1000;
                    } catch (BusException | RuntimeException e) {
                        disconnect();
                        LOG.debug("logind: reconnecting failed: {}", e.getMessage());
                        reconnectDelay = Math.min(reconnectDelay * 2, MAX_RECONNECT_DELAY_MILLIS);
                    }
                    continue;
                }
                try {
                    turn();
                } catch (BusException | RuntimeException e) {
                    LOG.warn("logind: lost the system bus ({}); reconnecting in {} s", e.getMessage(),
                            reconnectDelay / 1000);
                    disconnect();
                }
            }
            disconnect();
            closeWakeFd();
        }

        /** One pass: process what the bus has, act on it, then wait for the bus or a wake-up. */
        private void turn() throws BusException {
            int processed = sd.sd_bus_process(bus, null);
            if (processed < 0) {
                throw failure("sd_bus_process", processed);
            }
            Boolean start;
            while ((start = signals.poll()) != null) {
                if (start) {
                    beginSleep();
                } else {
                    endSleep();
                }
            }
            Runnable command;
            while ((command = commands.poll()) != null) {
                command.run();
            }
            if (sleeping && lockFd >= 0 && System.nanoTime() - releaseDeadlineNanos >= 0) {
                LOG.warn("logind: not prepared for sleep within {} ms; letting the machine sleep anyway",
                        prepareLimit.toMillis());
                releaseLock("limit reached");
            }
            if (processed > 0 || stopping) {
                return; // more may be queued
            }
            pollOnce();
        }

        private void pollOnce() throws BusException {
            int busFd = sd.sd_bus_get_fd(bus);
            int events = sd.sd_bus_get_events(bus);
            if (busFd < 0) {
                throw failure("sd_bus_get_fd", busFd);
            }
            if (events < 0) {
                throw failure("sd_bus_get_events", events);
            }
            pollFds.setInt(0, busFd);
            pollFds.setShort(4, (short) events);
            pollFds.setShort(6, (short) 0);
            pollFds.setInt(8, wakeFd);
            pollFds.setShort(12, LinuxLibc.POLLIN);
            pollFds.setShort(14, (short) 0);
            int ready = libc.poll(pollFds, new NativeLong(2), pollTimeoutMillis());
            if (ready < 0) {
                int errno = Native.getLastError();
                if (errno != LinuxLibc.EINTR) {
                    throw new BusException("poll failed: " + libc.strerror(errno));
                }
            }
            if ((pollFds.getShort(14) & LinuxLibc.POLLIN) != 0) {
                drainWakeFd();
            }
        }

        /** Until the bus's own deadline (a call in flight) or the release deadline, else no limit. */
        private int pollTimeoutMillis() throws BusException {
            long timeoutNanos = -1;
            LongByReference usec = new LongByReference();
            int r = sd.sd_bus_get_timeout(bus, usec);
            if (r < 0) {
                throw failure("sd_bus_get_timeout", r);
            }
            if (r > 0 && usec.getValue() != -1L) {
                // An absolute CLOCK_MONOTONIC time, the clock System.nanoTime reads on Linux.
                timeoutNanos = Math.max(0, usec.getValue() * 1000 - System.nanoTime());
            }
            if (sleeping && lockFd >= 0) {
                long untilRelease = Math.max(0, releaseDeadlineNanos - System.nanoTime());
                timeoutNanos = timeoutNanos < 0 ? untilRelease : Math.min(timeoutNanos, untilRelease);
            }
            return timeoutNanos < 0 ? -1 : (int) Math.min(Integer.MAX_VALUE, (timeoutNanos + 999_999) / 1_000_000);
        }

        // ---- connecting ------------------------------------------------------------------------

        private void connect() throws BusException {
            PointerByReference ref = new PointerByReference();
            if (busAddress == null) {
                check("sd_bus_open_system", sd.sd_bus_open_system(ref));
                bus = ref.getValue();
            } else {
                check("sd_bus_new", sd.sd_bus_new(ref));
                bus = ref.getValue();
                check("sd_bus_set_address", sd.sd_bus_set_address(bus, busAddress));
                check("sd_bus_set_bus_client", sd.sd_bus_set_bus_client(bus, 1));
                check("sd_bus_start", sd.sd_bus_start(bus));
            }
            PointerByReference name = new PointerByReference();
            check("sd_bus_get_unique_name", sd.sd_bus_get_unique_name(bus, name));
            uniqueName = name.getValue().getString(0, "UTF-8");
            // Owner changes first, so that no change between the question and the match is missed.
            check("sd_bus_add_match(NameOwnerChanged)", sd.sd_bus_add_match(bus, null,
                    "type='signal',sender='" + DBUS + "',path='/org/freedesktop/DBus',interface='" + DBUS
                            + "',member='NameOwnerChanged',arg0='" + LOGIND + "'", onNameOwnerChanged, null));
            check("sd_bus_add_match(PrepareForSleep)", sd.sd_bus_add_match(bus, null,
                    "type='signal',sender='" + LOGIND + "',path='" + LOGIND_PATH + "',interface='" + MANAGER
                            + "',member='PrepareForSleep'", onPrepareForSleep, null));
            setOwner(nameOwner());
            LOG.info("logind: listening for sleep on {} as {} (logind is {})",
                    busAddress == null ? "the system bus" : busAddress, uniqueName, owner == null ? "not running" : owner);
            if (owner != null) {
                takeLock();
            }
        }

        private void disconnect() {
            releaseLock("disconnected");
            if (bus != null) {
                sd.sd_bus_flush_close_unref(bus);
                bus = null;
            }
            signals.clear();
            sleeping = false;
            setOwner(null);
            uniqueName = null;
        }

        private void setOwner(String next) {
            owner = next;
            logindOwner = next;
        }

        /** GetNameOwner("org.freedesktop.login1"), or null when nobody owns it. */
        private String nameOwner() throws BusException {
            PointerByReference call = new PointerByReference();
            check("sd_bus_message_new_method_call(GetNameOwner)", sd.sd_bus_message_new_method_call(bus, call, DBUS,
                    "/org/freedesktop/DBus", DBUS, "GetNameOwner"));
            Pointer reply = null;
            Memory error = newError();
            try {
                check("sd_bus_message_append_basic", sd.sd_bus_message_append_basic(call.getValue(), SdBus.TYPE_STRING,
                        LOGIND));
                PointerByReference replyRef = new PointerByReference();
                int r = sd.sd_bus_call(bus, call.getValue(), CALL_TIMEOUT_USEC, error, replyRef);
                if (r < 0) {
                    String name = errorName(error);
                    if ("org.freedesktop.DBus.Error.NameHasNoOwner".equals(name)) {
                        return null;
                    }
                    throw new BusException("GetNameOwner failed: " + describe(error, r));
                }
                reply = replyRef.getValue();
                PointerByReference value = new PointerByReference();
                check("sd_bus_message_read_basic(GetNameOwner)", sd.sd_bus_message_read_basic(reply,
                        SdBus.TYPE_STRING, value));
                return value.getValue().getString(0, "UTF-8");
            } finally {
                sd.sd_bus_message_unref(call.getValue());
                if (reply != null) {
                    sd.sd_bus_message_unref(reply);
                }
                sd.sd_bus_error_free(error);
            }
        }

        // ---- the inhibitor lock ---------------------------------------------------------------

        /** Inhibit("sleep", who, why, "delay"): the lock is the returned fd, duplicated before the reply goes. */
        private void takeLock() {
            if (lockFd >= 0 || bus == null) {
                return;
            }
            PointerByReference call = new PointerByReference();
            Pointer reply = null;
            Memory error = newError();
            try {
                check("sd_bus_message_new_method_call(Inhibit)", sd.sd_bus_message_new_method_call(bus, call, LOGIND,
                        LOGIND_PATH, MANAGER, "Inhibit"));
                for (String argument : new String[] {"sleep", WHO, WHY, "delay"}) {
                    check("sd_bus_message_append_basic", sd.sd_bus_message_append_basic(call.getValue(),
                            SdBus.TYPE_STRING, argument));
                }
                PointerByReference replyRef = new PointerByReference();
                int r = sd.sd_bus_call(bus, call.getValue(), CALL_TIMEOUT_USEC, error, replyRef);
                if (r < 0) {
                    throw new BusException(describe(error, r));
                }
                reply = replyRef.getValue();
                IntByReference fd = new IntByReference(-1);
                check("sd_bus_message_read_basic(Inhibit)", sd.sd_bus_message_read_basic(reply, SdBus.TYPE_UNIX_FD, fd));
                // The reply owns its fd and closes it when unreferenced: keep a copy (never inherited by children).
                int copy = libc.fcntl(fd.getValue(), LinuxLibc.F_DUPFD_CLOEXEC, 3);
                if (copy < 0) {
                    throw new BusException("duplicating the inhibitor fd failed: " + libc.strerror(Native.getLastError()));
                }
                lockFd = copy;
                holdsLock = true;
                locksTaken.incrementAndGet();
                LOG.debug("logind: holding a delay lock (fd {})", copy);
            } catch (BusException e) {
                LOG.warn("logind: could not take a delay inhibitor lock ({}); sleep is still noticed but not held back",
                        e.getMessage());
            } finally {
                if (call.getValue() != null) {
                    sd.sd_bus_message_unref(call.getValue());
                }
                if (reply != null) {
                    sd.sd_bus_message_unref(reply);
                }
                sd.sd_bus_error_free(error);
            }
        }

        private void releaseLock(String why) {
            if (lockFd < 0) {
                return;
            }
            libc.close(lockFd);
            lockFd = -1;
            holdsLock = false;
            if (sleeping) {
                LOG.info("logind: released the delay lock {} ms after the sleep announcement ({})",
                        (System.nanoTime() - sleepAnnouncedNanos) / 1_000_000, why);
            } else {
                LOG.debug("logind: released the delay lock ({})", why);
            }
        }

        // ---- signals --------------------------------------------------------------------------

        /** Runs inside sd_bus_process: only checks and queues, so that no bus call is made re-entrantly. */
        private int onPrepareForSleep(Pointer message, Pointer userdata, Pointer error) {
            try {
                String sender = sd.sd_bus_message_get_sender(message);
                if (owner == null || !owner.equals(sender)) {
                    ignoredSignals.incrementAndGet();
                    LOG.warn("logind: ignored PrepareForSleep from {}: only {} may send it ({})", sender, LOGIND,
                            owner == null ? "nobody owns that name now" : "owned by " + owner);
                    return 0;
                }
                IntByReference start = new IntByReference();
                int r = sd.sd_bus_message_read_basic(message, SdBus.TYPE_BOOLEAN, start);
                if (r <= 0) {
                    LOG.warn("logind: PrepareForSleep without a boolean argument ({}); ignored", r);
                    return 0;
                }
                signals.add(start.getValue() != 0);
            } catch (RuntimeException e) {
                LOG.warn("logind: reading PrepareForSleep failed", e);
            }
            return 0;
        }

        private int onNameOwnerChanged(Pointer message, Pointer userdata, Pointer error) {
            try {
                if (!DBUS.equals(sd.sd_bus_message_get_sender(message))) {
                    return 0;
                }
                String[] args = new String[3];
                for (int i = 0; i < 3; i++) {
                    PointerByReference value = new PointerByReference();
                    if (sd.sd_bus_message_read_basic(message, SdBus.TYPE_STRING, value) <= 0) {
                        return 0;
                    }
                    args[i] = value.getValue().getString(0, "UTF-8");
                }
                if (!LOGIND.equals(args[0])) {
                    return 0;
                }
                String next = args[2].isEmpty() ? null : args[2];
                LOG.info("logind: {} is now {}", LOGIND, next == null ? "gone from the bus" : "owned by " + next);
                setOwner(next);
                // Acted on after processing: a lock belongs to the logind that granted it.
                commands.add(() -> {
                    if (owner == null) {
                        releaseLock("logind left the bus");
                    } else if (!sleeping) {
                        releaseLock("logind was replaced");
                        takeLock();
                    }
                });
            } catch (RuntimeException e) {
                LOG.warn("logind: reading NameOwnerChanged failed", e);
            }
            return 0;
        }

        private void beginSleep() {
            if (sleeping) {
                LOG.debug("logind: PrepareForSleep(true) again; same sleep");
                return;
            }
            sleeping = true;
            int generation = ++sleepGeneration;
            sleepAnnouncedNanos = System.nanoTime();
            releaseDeadlineNanos = sleepAnnouncedNanos + prepareLimit.toNanos();
            CompletionStage<Void> prepared;
            try {
                prepared = listener.sleeping(SleepWakeEvent.sleep(ID, clock.instant()));
            } catch (RuntimeException e) {
                LOG.warn("logind: the sleep listener failed", e);
                prepared = CompletableFuture.completedFuture(null);
            }
            if (lockFd < 0) {
                LOG.info("logind: sleep announced; no delay lock is held, so it is not held back");
            }
            prepared.whenComplete((ok, failure) -> {
                commands.add(() -> {
                    if (sleeping && generation == sleepGeneration) {
                        releaseLock(failure == null ? "prepared" : "preparing failed: " + failure);
                    }
                });
                wakeUp();
            });
        }

        private void endSleep() {
            if (!sleeping) {
                LOG.debug("logind: PrepareForSleep(false) without an announced sleep");
            }
            sleeping = false;
            sleepGeneration++; // a preparation that finishes late must not release the new lock
            try {
                listener.woke(SleepWakeEvent.wake(ID, clock.instant(), null));
            } catch (RuntimeException e) {
                LOG.warn("logind: the wake listener failed", e);
            }
            if (owner != null) {
                takeLock();
            }
        }

        // ---- waking the loop ------------------------------------------------------------------

        void stop() {
            stopping = true;
            wakeUp();
        }

        void wakeUp() {
            synchronized (wakeLock) {
                if (wakeFd >= 0) {
                    libc.write(wakeFd, new byte[] {1, 0, 0, 0, 0, 0, 0, 0}, new NativeLong(8));
                }
            }
        }

        private void drainWakeFd() {
            libc.read(wakeFd, new byte[8], new NativeLong(8));
        }

        /** Sleeps up to {@code millis}, or until woken (stop): the delay between reconnects. */
        private void waitForWakeUp(long millis) {
            pollFds.setInt(0, wakeFd);
            pollFds.setShort(4, LinuxLibc.POLLIN);
            pollFds.setShort(6, (short) 0);
            if (libc.poll(pollFds, new NativeLong(1), (int) millis) > 0) {
                drainWakeFd();
            }
        }

        private void closeWakeFd() {
            synchronized (wakeLock) {
                if (wakeFd >= 0) {
                    libc.close(wakeFd);
                    wakeFd = -1;
                }
            }
        }

        // ---- errors ---------------------------------------------------------------------------

        private Memory newError() {
            Memory error = new Memory(SdBus.ERROR_SIZE);
            error.clear();
            return error;
        }

        private String errorName(Memory error) {
            Pointer name = error.getPointer(SdBus.ERROR_NAME_OFFSET);
            return name == null ? null : name.getString(0, "UTF-8");
        }

        private String describe(Memory error, int r) {
            String name = errorName(error);
            Pointer message = error.getPointer(SdBus.ERROR_MESSAGE_OFFSET);
            if (name == null) {
                return libc.strerror(-r);
            }
            return name + (message == null ? "" : ": " + message.getString(0, "UTF-8"));
        }

        private void check(String call, int result) throws BusException {
            if (result < 0) {
                throw failure(call, result);
            }
        }

        private BusException failure(String call, int result) {
            return new BusException(call + " failed: " + libc.strerror(-result));
        }
    }
}
