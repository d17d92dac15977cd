package dev.nexus.services.manager.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Quoting for Windows command lines, checked against an independent implementation of the
 * {@code CommandLineToArgvW} / C runtime parsing rules (Microsoft's "Parsing C command-line arguments").
 */
class WindowsCommandLineTest {
    /** How Windows splits the argument part of a command line (not argv[0], which has simpler rules). */
    static List<String> parse(String commandLine) {
        List<String> args = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean inArgument = false;
        boolean quoted = false;
        int i = 0;
        while (i < commandLine.length()) {
            char c = commandLine.charAt(i);
            if (!quoted && (c == ' ' || c == '\t')) {
                if (inArgument) {
                    args.add(current.toString());
                    current.setLength(0);
                    inArgument = false;
                }
                i++;
                continue;
            }
            inArgument = true;
            if (c == '\\') {
                int run = 0;
                while (i < commandLine.length() && commandLine.charAt(i) == '\\') {
                    run++;
                    i++;
                }
                if (i < commandLine.length() && commandLine.charAt(i) == '"') {
                    current.append("\\".repeat(run / 2));
                    if (run % 2 == 1) {
                        current.append('"');
                        i++;
                    }
                } else {
                    current.append("\\".repeat(run));
                }
                continue;
            }
            if (c == '"') {
                if (quoted && i + 1 < commandLine.length() && commandLine.charAt(i + 1) == '"') {
                    current.append('"'); // "" inside quotes: a literal quote (msvcrt since 2008)
                    i += 2;
                    continue;
                }
                quoted = !quoted;
                i++;
                continue;
            }
            current.append(c);
            i++;
        }
        if (inArgument) {
            args.add(current.toString());
        }
        return args;
    }

    @Test
    void theParserFollowsMicrosoftsDocumentedExamples() {
        assertEquals(List.of("a b c", "d", "e"), parse("\"a b c\" d e"));
        assertEquals(List.of("ab\"c", "\\", "d"), parse("\"ab\\\"c\" \"\\\\\" d"));
        assertEquals(List.of("a\\\\\\b", "de fg", "h"), parse("a\\\\\\b d\"e f\"g h"));
        assertEquals(List.of("a\\\"b", "c", "d"), parse("a\\\\\\\"b c d"));
        assertEquals(List.of("a\\\\b c", "d", "e"), parse("a\\\\\\\\\"b c\" d e"));
    }

    @Test
    void simpleArgumentsStayBareAndTheRestIsQuoted() {
        assertEquals("exec", WindowsCommandLine.quote("exec"));
        assertEquals("C:\\Users\\ada\\nexus", WindowsCommandLine.quote("C:\\Users\\ada\\nexus"), "backslashes alone are literal");
        assertEquals("\"\"", WindowsCommandLine.quote(""));
        assertEquals("\"C:\\Program Files\\Nexus\\\\\"", WindowsCommandLine.quote("C:\\Program Files\\Nexus\\"),
                "the trailing backslash is doubled or it would escape the closing quote");
        assertEquals("\"say \\\"hi\\\"\"", WindowsCommandLine.quote("say \"hi\""));
        assertEquals("\"a\\\\\\\"b\"", WindowsCommandLine.quote("a\\\"b"));
        assertEquals("exec cloud", WindowsCommandLine.join(List.of("exec", "cloud")));
    }

    @Test
    void everyArgumentListSurvivesTheRoundTrip() {
        char[] alphabet = {'a', 'Z', ' ', '\t', '"', '\\', 'é', '&', '%', '^', '\'', '漢'};
        Random random = new Random(20250314);
        for (int round = 0; round < 5000; round++) {
            List<String> args = new ArrayList<>();
            int count = 1 + random.nextInt(4);
            for (int a = 0; a < count; a++) {
                StringBuilder arg = new StringBuilder();
                int length = random.nextInt(8);
                for (int k = 0; k < length; k++) {
                    arg.append(alphabet[random.nextInt(alphabet.length)]);
                }
                args.add(arg.toString());
            }
            String line = WindowsCommandLine.join(args);
            assertEquals(args, parse(line), "round " + round + ": " + line);
        }
    }
}
