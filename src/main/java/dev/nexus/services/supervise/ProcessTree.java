package dev.nexus.services.supervise;

import com.sun.jna.LastErrorException;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The processes that belong to one child: its leader, the leader's descendants and, where the leader
 * was started in its own process group, every member of that group (a grandchild that daemonized
 * is reparented away from the leader but stays in the group).
 *
 * <p>Every individual signal goes through {@link ProcessHandle}, which checks the start time before
 * signalling, so a recycled pid is never hit. The group-wide {@code kill(-pgid)} is only sent while
 * the leader itself still exists with that group: while it exists the group id cannot be recycled.
 * Once the leader is gone, group members are found in /proc (Linux) and signalled one by one; a group
 * id stays allocated while any member lives, so a non-empty group found there is still ours.
 * Without /proc (macOS) or without a group (no setsid), only the descendant tree is tracked.
 */
final class ProcessTree {
    private static final Logger LOG = LoggerFactory.getLogger(ProcessTree.class);

    private final ProcessHandle leader;
    private final boolean processGroup;
    private final boolean posix;

    ProcessTree(ProcessHandle leader, boolean processGroup, boolean posix) {
        this.leader = leader;
        this.processGroup = processGroup;
        this.posix = posix;
    }

    ProcessHandle leader() {
        return leader;
    }

    /**
     * Alive and not a zombie. The JDK counts a zombie as alive, and a zombie can stay for good when
     * nobody reaps orphans (PID 1 in many containers); it holds nothing but its pid.
     */
    static boolean isAlive(ProcessHandle h) {
        if (!h.isAlive()) {
            return false;
        }
        if (OperatingSystem.CURRENT != OperatingSystem.LINUX) {
            return true;
        }
        return ProcStat.read(h.pid()).map(stat -> !stat.exited()).orElse(false);
    }

    /** The processes of the tree alive now. */
    Set<ProcessHandle> snapshot() {
        Set<ProcessHandle> tree = new LinkedHashSet<>();
        if (isAlive(leader)) {
            tree.add(leader);
        }
        leader.descendants().forEach(tree::add);
        if (processGroup) {
            for (ProcStat member : ProcStat.groupMembers(leader.pid())) {
                ProcessHandle.of(member.pid()).ifPresent(h -> {
                    tree.add(h);
                    h.descendants().forEach(tree::add);
                });
            }
        }
        return tree;
    }

    /** Adds the live processes of the tree to {@code known}, including new descendants of known ones. */
    void refresh(Set<ProcessHandle> known) {
        Set<ProcessHandle> fresh = snapshot();
        for (ProcessHandle h : known) {
            if (isAlive(h)) {
                h.descendants().forEach(fresh::add);
            }
        }
        known.addAll(fresh);
    }

    /** True when none of {@code known} and no member of the group is alive. */
    boolean allGone(Set<ProcessHandle> known) {
        for (ProcessHandle h : known) {
            if (isAlive(h)) {
                return false;
            }
        }
        return !processGroup || ProcStat.groupMembers(leader.pid()).isEmpty();
    }

    Set<Long> alivePids(Set<ProcessHandle> known) {
        return known.stream().filter(ProcessTree::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toCollection(LinkedHashSet::new));
    }

    /** SIGTERM (or, with {@code force}, SIGKILL) to the group and to every known process. */
    void signal(Set<ProcessHandle> known, boolean force) {
        if (processGroup && posix) {
            signalGroup(force ? PosixLibc.SIGKILL : PosixLibc.SIGTERM);
        }
        for (ProcessHandle h : known) {
            if (!isAlive(h)) {
                continue;
            }
            // destroy() is SIGTERM and destroyForcibly() SIGKILL on POSIX; both check the start time.
            boolean sent = force ? h.destroyForcibly() : h.destroy();
            if (!sent && isAlive(h)) {
                LOG.debug("could not signal pid {}", h.pid());
            }
        }
    }

    private void signalGroup(int signal) {
        long pgid = leader.pid();
        if (!isAlive(leader)) {
            return;
        }
        PosixLibc libc = PosixLibc.get();
        try {
            if (libc.getpgid((int) pgid) != pgid) {
                return;
            }
            libc.kill((int) -pgid, signal);
        } catch (LastErrorException e) {
            if (e.getErrorCode() != PosixLibc.ESRCH) {
                LOG.warn("signal {} to process group {} failed: errno {}", signal, pgid, e.getErrorCode());
            }
        }
    }
}
