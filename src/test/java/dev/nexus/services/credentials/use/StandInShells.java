package dev.nexus.services.credentials.use;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * STAND-INS for a user's login shell ($SHELL), written as small /bin/sh scripts into a test's temp
 * directory. They behave like a shell given "-l -i -c COMMAND" with noisy rc files: they print
 * banner text (with NULs and NAME=value look-alikes) before running COMMAND with /bin/sh.
 */
public final class StandInShells {
    private StandInShells() {
    }

    /**
     * Prints rc noise, exports LOGIN_ONLY (a value with a newline and '='), records its arguments in
     * {@code dir/args} and appends a line to {@code dir/runs}, waits {@code delay} (a sleep(1) argument,
     * "0" for none), then runs the -c command.
     */
    public static Path noisy(Path dir, String delay) throws IOException {
        return script(dir, "noisy-login-shell", """
                #!/bin/sh
                here=$(dirname "$0")
                printf '%s\\n' "$@" > "$here/args"
                echo run >> "$here/runs"
                echo "Welcome to the stand-in login shell"
                echo "NOT_A_VARIABLE=printed-by-an-rc-file"
                printf 'rc noise with a NUL\\0FAKE_FROM_NOISE=1\\0'
                echo "rc noise on stderr" >&2
                export LOGIN_ONLY='line one
                line two=still the value'
                export PATH="/stand-in/bin:$PATH"
                sleep DELAY
                while [ $# -gt 1 ]; do shift; done
                exec /bin/sh -c "$1"
                """.replace("DELAY", delay));
    }

    /** Prints noise, writes its pid to {@code dir/pid}, then sleeps far past any test timeout. */
    public static Path hanging(Path dir) throws IOException {
        return script(dir, "hanging-login-shell", """
                #!/bin/sh
                here=$(dirname "$0")
                echo "rc file asks: continue? [y/n]"
                sleep 300 &
                echo $! > "$here/sleeper"
                echo $$ > "$here/pid"
                wait
                """);
    }

    /** Exits with 3 before running the command, as a shell whose rc file calls exit. */
    public static Path failing(Path dir) throws IOException {
        return script(dir, "failing-login-shell", """
                #!/bin/sh
                echo "rc file gives up"
                exit 3
                """);
    }

    private static Path script(Path dir, String name, String text) throws IOException {
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwx------"));
        return file;
    }
}
