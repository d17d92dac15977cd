package dev.nexus.services.manager.systemd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Quoting for unit files, case by case as systemd.syntax(7) / systemd.service(5) spell the rules, and as a
 * round trip through a reader that follows them (unquote + C unescape, then %% and $$).
 */
class SystemdSyntaxTest {
    @Test
    void execArgumentsAreQuotedAndEscapedAsSystemdReadsThem() {
        assertEquals("plain-word_1.2:/x=y,z@h+", SystemdSyntax.execArgument("plain-word_1.2:/x=y,z@h+"));
        assertEquals("\"a b\"", SystemdSyntax.execArgument("a b"));
        assertEquals("100%%", SystemdSyntax.execArgument("100%"));
        assertEquals("$$HOME", SystemdSyntax.execArgument("$HOME"));
        assertEquals("\"$${HOME}\"", SystemdSyntax.execArgument("${HOME}"));
        assertEquals("\"say \\\"hi\\\"\"", SystemdSyntax.execArgument("say \"hi\""));
        assertEquals("\"back\\\\slash\"", SystemdSyntax.execArgument("back\\slash"));
        assertEquals("\"it's\"", SystemdSyntax.execArgument("it's"));
        assertEquals("\"\"", SystemdSyntax.execArgument(""));
        assertEquals("\";\"", SystemdSyntax.execArgument(";"), "a bare ; separates commands");
        assertEquals("\"a\\nb\\tc\\rd\"", SystemdSyntax.execArgument("a\nb\tc\rd"));
        assertEquals("\"\\x01\\x7f\"", SystemdSyntax.execArgument("\u0001\u007f"));
        assertEquals("\"naïve #1\"", SystemdSyntax.execArgument("naïve #1"));
        assertThrows(IllegalArgumentException.class, () -> SystemdSyntax.execArgument("nul\0"));
    }

    @Test
    void theExecutableIsQuotedForSpacesButNeverGetsDoubledDollars() {
        // systemd runs the path as written (no $ expansion there) and refuses quotes/backslashes in it.
        assertEquals("\"/opt/My Apps 50%%/nexus $x/nexus-services\" exec \"my svc\" $$x",
                SystemdSyntax.commandLine(List.of("/opt/My Apps 50%/nexus $x/nexus-services", "exec", "my svc", "$x")));
        assertThrows(IllegalArgumentException.class, () -> SystemdSyntax.commandLine(List.of("nexus-services", "exec")));
        assertThrows(IllegalArgumentException.class, () -> SystemdSyntax.commandLine(List.of("/opt/it's/nexus")));
        assertThrows(IllegalArgumentException.class, () -> SystemdSyntax.commandLine(List.of("/opt/a\\b/nexus")));
        assertThrows(IllegalArgumentException.class, () -> SystemdSyntax.commandLine(List.of("/opt/a\"b/nexus")));
        assertThrows(IllegalArgumentException.class, () -> SystemdSyntax.commandLine(List.of("/opt/a\nb/nexus")));
        assertThrows(IllegalArgumentException.class, () -> SystemdSyntax.commandLine(List.of()));
    }

    @Test
    void environmentAssignmentsKeepDollarsAndQuoteTheWholeWord() {
        assertEquals("LANG=en_US.UTF-8", SystemdSyntax.environmentAssignment("LANG", "en_US.UTF-8"));
        assertEquals("\"PATH=/a b:/c\"", SystemdSyntax.environmentAssignment("PATH", "/a b:/c"));
        assertEquals("X=$HOME", SystemdSyntax.environmentAssignment("X", "$HOME"), "Environment= expands no variables");
        assertEquals("\"X=50%% \\\"q\\\" \\\\\"", SystemdSyntax.environmentAssignment("X", "50% \"q\" \\"));
        assertEquals("EMPTY=", SystemdSyntax.environmentAssignment("EMPTY", ""));
        assertThrows(IllegalArgumentException.class, () -> SystemdSyntax.environmentAssignment("BAD NAME", "x"));
    }

    @Test
    void verbatimPathsOnlyEscapePercentAndRefuseWhatCannotBeWritten() {
        assertEquals("/home/ada/My \"Nexus\" 100%% $HOME\\x",
                SystemdSyntax.verbatimPath("WorkingDirectory", Path.of("/home/ada/My \"Nexus\" 100% $HOME\\x")));
        assertThrows(IllegalArgumentException.class, () -> SystemdSyntax.verbatimPath("WorkingDirectory", Path.of("rel")));
        assertThrows(IllegalArgumentException.class, () -> SystemdSyntax.verbatimPath("WorkingDirectory", Path.of("/a\\")));
        assertThrows(IllegalArgumentException.class, () -> SystemdSyntax.verbatimPath("WorkingDirectory", Path.of("/a ")));
        assertThrows(IllegalArgumentException.class, () -> SystemdSyntax.verbatimPath("WorkingDirectory", Path.of("/a\tb")));
    }

    @Test
    void descriptionsStayOnOneLine() {
        assertEquals("Nexus 100%% done", SystemdSyntax.text(" Nexus 100% done \\"));
        assertEquals("two  lines", SystemdSyntax.text("two\r\nlines"));
    }

    @Test
    void timeSpansAreExact() {
        assertEquals("10s", SystemdSyntax.timeSpan(Duration.ofSeconds(10)));
        assertEquals("0s", SystemdSyntax.timeSpan(Duration.ZERO));
        assertEquals("1500ms", SystemdSyntax.timeSpan(Duration.ofMillis(1500)));
        assertEquals("250us", SystemdSyntax.timeSpan(Duration.ofNanos(250_000)));
        assertThrows(IllegalArgumentException.class, () -> SystemdSyntax.timeSpan(Duration.ofSeconds(-1)));
    }

    @Test
    void anyArgumentSurvivesTheRoundTripThroughSystemdsReadingRules() {
        char[] alphabet = {'a', 'Z', '7', ' ', '%', '$', '{', '}', '"', '\'', '\\', '\n', '\t', ';', '#', 'é', '\u0001', '='};
        Random random = new Random(6);
        for (int i = 0; i < 2000; i++) {
            StringBuilder arg = new StringBuilder();
            int length = random.nextInt(8);
            for (int j = 0; j < length; j++) {
                arg.append(alphabet[random.nextInt(alphabet.length)]);
            }
            String original = arg.toString();
            List<String> words = ExecLineReader.words("/bin/x " + SystemdSyntax.execArgument(original));
            assertEquals(List.of("/bin/x", original), words, "argument " + visible(original));
            List<String> assignment = ExecLineReader.environment(SystemdSyntax.environmentAssignment("V", original));
            assertEquals(List.of("V=" + original), assignment, "Environment value " + visible(original));
        }
    }

    private static String visible(String s) {
        return s.replace("\n", "\\n").replace("\t", "\\t").replace("\u0001", "\\x01");
    }

    /**
     * How systemd reads ExecStart= and Environment= back (extract_first_word with EXTRACT_UNQUOTE |
     * EXTRACT_CUNESCAPE, then specifiers; ExecStart arguments then have $$ → $ at exec). Written from
     * systemd.syntax(7) and the extract_first_word rules, independently of the writer under test.
     */
    static final class ExecLineReader {
        static List<String> words(String line) {
            List<String> argv = new ArrayList<>();
            for (String word : split(line)) {
                String unspecified = word.replace("%%", "\u0000");
                if (unspecified.contains("%")) {
                    throw new AssertionError("an unescaped specifier in " + line);
                }
                argv.add(unspecified.replace("\u0000", "%"));
            }
            List<String> expanded = new ArrayList<>();
            expanded.add(argv.get(0));
            for (String arg : argv.subList(1, argv.size())) {
                expanded.add(dollars(arg));
            }
            return expanded;
        }

        static List<String> environment(String value) {
            return split(value).stream().map(w -> w.replace("%%", "%")).toList();
        }

        /** $$ is a literal $; ${NAME} or a whole-word $NAME would be expanded, which a test never wants. */
        private static String dollars(String arg) {
            StringBuilder out = new StringBuilder();
            for (int i = 0; i < arg.length(); i++) {
                char c = arg.charAt(i);
                if (c == '$' && i + 1 < arg.length() && arg.charAt(i + 1) == '$') {
                    out.append('$');
                    i++;
                } else if (c == '$' && (i + 1 < arg.length() && arg.charAt(i + 1) == '{' || i == 0 && arg.length() > 1)) {
                    throw new AssertionError("systemd would expand a variable in " + arg);
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }

        private static List<String> split(String line) {
            List<String> words = new ArrayList<>();
            int i = 0;
            while (i < line.length()) {
                while (i < line.length() && Character.isWhitespace(line.charAt(i))) {
                    i++;
                }
                if (i >= line.length()) {
                    break;
                }
                StringBuilder word = new StringBuilder();
                boolean quoted = false;
                while (i < line.length()) {
                    char c = line.charAt(i);
                    if (!quoted && Character.isWhitespace(c)) {
                        break;
                    }
                    if (c == '"') {
                        quoted = !quoted;
                        i++;
                    } else if (c == '\\') {
                        char e = line.charAt(i + 1);
                        switch (e) {
                            case 'n' -> word.append('\n');
                            case 't' -> word.append('\t');
                            case 'r' -> word.append('\r');
                            case '\\', '"', '\'' -> word.append(e);
                            case 'x' -> {
                                word.append((char) Integer.parseInt(line.substring(i + 2, i + 4), 16));
                                i += 2;
                            }
                            default -> throw new AssertionError("unknown escape \\" + e + " in " + line);
                        }
                        i += 2;
                    } else {
                        if (c < 0x20 || c == 0x7f) {
                            throw new AssertionError("a raw control character in " + line.replace("\n", "\\n"));
                        }
                        word.append(c);
                        i++;
                    }
                }
                if (quoted) {
                    throw new AssertionError("unbalanced quotes in " + line);
                }
                words.add(word.toString());
            }
            return words;
        }
    }
}
