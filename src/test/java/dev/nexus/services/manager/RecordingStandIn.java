package dev.nexus.services.manager;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.List;

/**
 * A STAND-IN for an OS tool that cannot run here (launchctl, schtasks) or must not touch the real machine
 * (systemctl --user): a small script on a test PATH that records every call's arguments and replays canned
 * output. Replies are matched by argument prefix; the last matching reply wins, so a test can change what
 * the tool says half way. Without a matching reply it exits 0 silently.
 */
public final class RecordingStandIn {
    private static final char SEPARATOR = '\u001f';
    private final Path bin;
    private final String tool;
    private final Path dir;
    private int rules;

    private RecordingStandIn(Path bin, String tool) {
        this.bin = bin;
        this.tool = tool;
        this.dir = bin.resolve("." + tool + ".standin");
    }

    /** Puts a stand-in for {@code tool} into {@code bin} (created if needed). */
    public static RecordingStandIn create(Path bin, String tool) throws IOException {
        RecordingStandIn standIn = new RecordingStandIn(bin, tool);
        Files.createDirectories(standIn.dir.resolve("rules"));
        Files.writeString(standIn.dir.resolve("calls"), "");
        String script = """
                #!/usr/bin/env bash
                # Recording stand-in for %s (tests only): logs the call, replays a canned reply.
                dir='%s'
                line=""
                for arg in "$@"; do line+="$arg"$'\\x1f'; done
                printf '%%s\\n' "$line" >> "$dir/calls"
                reply=""
                for rule in "$dir"/rules/*.match; do
                  [ -e "$rule" ] || break
                  prefix="$(cat "$rule")"
                  if [[ "$line" == "$prefix"* ]]; then
                    base="${rule%%.match}"
                    # A reply given a number of times is skipped once it is used up.
                    if [ -e "$base.left" ] && [ "$(cat "$base.left")" -le 0 ]; then continue; fi
                    reply="$base"
                  fi
                done
                [ -n "$reply" ] || exit 0
                if [ -e "$reply.left" ]; then echo $(( $(cat "$reply.left") - 1 )) > "$reply.left"; fi
                cat "$reply.out"
                cat "$reply.err" >&2
                exit "$(cat "$reply.exit")"
                """.formatted(tool, standIn.dir);
        Path executable = bin.resolve(tool);
        Files.writeString(executable, script);
        Files.setPosixFilePermissions(executable, PosixFilePermissions.fromString("rwxr-xr-x"));
        return standIn;
    }

    /** When the arguments start with {@code argsPrefix}, print {@code stdout} / {@code stderr} and exit. */
    public RecordingStandIn reply(List<String> argsPrefix, int exitCode, String stdout, String stderr) throws IOException {
        return reply(argsPrefix, -1, exitCode, stdout, stderr);
    }

    /** The same for the next {@code times} matching calls only; then the replies given before it apply again. */
    public RecordingStandIn replyTimes(List<String> argsPrefix, int times, int exitCode, String stdout, String stderr)
            throws IOException {
        return reply(argsPrefix, times, exitCode, stdout, stderr);
    }

    private RecordingStandIn reply(List<String> argsPrefix, int times, int exitCode, String stdout, String stderr)
            throws IOException {
        String name = String.format("%04d", rules++);
        Path rules = dir.resolve("rules");
        StringBuilder prefix = new StringBuilder();
        argsPrefix.forEach(a -> prefix.append(a).append(SEPARATOR));
        Files.writeString(rules.resolve(name + ".out"), stdout);
        Files.writeString(rules.resolve(name + ".err"), stderr);
        Files.writeString(rules.resolve(name + ".exit"), Integer.toString(exitCode));
        if (times >= 0) {
            Files.writeString(rules.resolve(name + ".left"), Integer.toString(times));
        }
        // Written last: the script only looks at complete rules.
        Files.writeString(rules.resolve(name + ".match"), prefix.toString());
        return this;
    }

    public RecordingStandIn reply(List<String> argsPrefix, String stdout) throws IOException {
        return reply(argsPrefix, 0, stdout, "");
    }

    /** Every call so far, arguments only (without the tool name), oldest first. */
    public List<List<String>> calls() throws IOException {
        return Files.readAllLines(dir.resolve("calls"), StandardCharsets.UTF_8).stream()
                .map(line -> line.isEmpty() ? List.<String>of()
                        : Arrays.asList(line.substring(0, line.length() - 1).split(String.valueOf(SEPARATOR), -1)))
                .toList();
    }

    public Path executable() {
        return bin.resolve(tool);
    }

    /**
     * A runner that resolves tool names in {@code bin} first, then runs them as real processes: the code under
     * test calls "systemctl" as it would on a user's machine.
     */
    public static CommandRunner runnerUsing(Path bin) {
        ProcessCommandRunner real = new ProcessCommandRunner();
        return (argv, timeout) -> {
            Path candidate = bin.resolve(argv.get(0));
            if (!argv.get(0).contains("/") && Files.isExecutable(candidate)) {
                List<String> rewritten = new java.util.ArrayList<>(argv);
                rewritten.set(0, candidate.toString());
                CommandResult result = real.run(rewritten, timeout);
                return new CommandResult(argv, result.exitCode(), result.stdout(), result.stderr());
            }
            return real.run(argv, timeout);
        };
    }
}
