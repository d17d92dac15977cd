package dev.nexus.services.supervise;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;

/**
 * Who holds a TCP port. On Linux the kernel's socket tables ({@code /proc/net/tcp} and {@code tcp6})
 * answer without touching the listener; elsewhere a loopback connect tells whether something
 * listens, and the owner stays unknown.
 */
public final class Ports {
    private static final Path PROC = Path.of("/proc");
    private static final List<Path> TCP_TABLES = List.of(PROC.resolve("net/tcp"), PROC.resolve("net/tcp6"));
    /** The kernel's TCP_LISTEN state as written in the "st" column. */
    private static final String LISTEN_STATE = "0A";
    private static final int CONNECT_TIMEOUT_MILLIS = 250;
    private static final long POLL_MILLIS = 25;

    private Ports() {
    }

    /** True when some socket listens on {@code port} (any local address). */
    public static boolean isListening(int port) {
        requireValidPort(port);
        if (OperatingSystem.CURRENT == OperatingSystem.LINUX && Files.isReadable(TCP_TABLES.get(0))) {
            return !listeningInodes(port).isEmpty();
        }
        return connects(InetAddress.getLoopbackAddress(), port) || connectsIpv6Loopback(port);
    }

    /**
     * The pid of a process that holds the listening socket on {@code port}; empty when nothing
     * listens, when the owner is another user's process (its file descriptors are not readable), or
     * where /proc does not exist. With several holders (a forking server) the lowest pid is returned.
     */
    public static OptionalLong listenerPid(int port) {
        requireValidPort(port);
        if (OperatingSystem.CURRENT != OperatingSystem.LINUX) {
            return OptionalLong.empty();
        }
        Set<String> inodes = listeningInodes(port);
        if (inodes.isEmpty()) {
            return OptionalLong.empty();
        }
        Set<String> links = new HashSet<>();
        for (String inode : inodes) {
            links.add("socket:[" + inode + "]");
        }
        long found = Long.MAX_VALUE;
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC)) {
            for (Path dir : processes) {
                long pid = ProcStat.numericName(dir);
                if (pid > 0 && pid < found && holdsAny(dir.resolve("fd"), links)) {
                    found = pid;
                }
            }
        } catch (IOException e) {
            return OptionalLong.empty();
        }
        return found == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(found);
    }

    /** Polls until nothing listens on {@code port}; false when it is still taken at the deadline. */
    public static boolean awaitFree(int port, Duration timeout) {
        requireValidPort(port);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (isListening(port)) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            try {
                Thread.sleep(Math.max(1, Math.min(POLL_MILLIS, left / 1_000_000)));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return !isListening(port);
            }
        }
        return true;
    }

    /** Socket inodes in LISTEN state on {@code port}, from both the IPv4 and the IPv6 table. */
    static Set<String> listeningInodes(int port) {
        Set<String> inodes = new HashSet<>();
        for (Path table : TCP_TABLES) {
            List<String> lines;
            try {
                lines = Files.readAllLines(table, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                continue;
            }
            for (int i = 1; i < lines.size(); i++) {
                String inode = listeningInode(lines.get(i), port);
                if (inode != null) {
                    inodes.add(inode);
                }
            }
        }
        return inodes;
    }

    /**
     * The inode of one table line when it is a listener on {@code port}. Columns: sl, local
     * address (hex ip:hex port), remote address, st, tx:rx queue, tr:when, retrnsmt, uid, timeout, inode.
     */
    static String listeningInode(String line, int port) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 10 || !LISTEN_STATE.equals(f[3])) {
            return null;
        }
        int colon = f[1].lastIndexOf(':');
        if (colon < 0) {
            return null;
        }
        try {
            if (Integer.parseInt(f[1].substring(colon + 1), 16) != port) {
                return null;
            }
        } catch (NumberFormatException e) {
            return null;
        }
        // Inode 0 belongs to a socket being torn down: nobody holds it any more.
        return "0".equals(f[9]) ? null : f[9];
    }

    private static boolean holdsAny(Path fdDir, Set<String> links) {
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(fdDir)) {
            for (Path fd : fds) {
                try {
                    if (links.contains(Files.readSymbolicLink(fd).toString())) {
                        return true;
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // Closed meanwhile, or not ours to read.
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    private static boolean connectsIpv6Loopback(int port) {
        try {
            return connects(InetAddress.getByName("::1"), port);
        } catch (IOException e) {
            return false;
        }
    }

    private static boolean connects(InetAddress address, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(address, port), CONNECT_TIMEOUT_MILLIS);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void requireValidPort(int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
    }
}
