package dev.nexus.services.manager.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.nexus.services.manager.ManagerContext;
import dev.nexus.services.manager.Golden;
import dev.nexus.services.manager.systemd.LinuxFixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Both autostart entries against their golden files, and Exec quoting by the Desktop Entry Specification. */
class DesktopEntriesGoldenTest {
    @Test
    void trayAndEngineEntries() throws Exception {
        ManagerContext ada = LinuxFixtures.adaContext();
        Golden.assertMatches("linux/nexus-services-tray.desktop", DesktopEntries.tray(ada));
        Golden.assertMatches("linux/nexus-services-engine.desktop", DesktopEntries.engine(ada));
    }

    @Test
    void trayEntryWithAwkwardPaths() throws Exception {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", "/home/ada/My Tools/bin:/usr/bin:/bin");
        env.put("NEXUS_ROOT", "/home/ada/Nexus 100% \"mine\" $HOME");
        ManagerContext odd = LinuxFixtures.context(Path.of("/home/ada/Nexus 100% \"mine\" $HOME"), Path.of("/home/ada"),
                Path.of("/home/ada/Apps 50%/it's `here`/back\\slash/nexus-services"), env);
        Golden.assertMatches("linux/nexus-services-tray.odd-paths.desktop", DesktopEntries.tray(odd));
    }

    @Test
    void execQuotingCaseByCase() {
        assertEquals("/usr/bin/app plain=1,2:3/x.y", DesktopEntries.execValue(List.of("/usr/bin/app", "plain=1,2:3/x.y")));
        assertEquals("app \"a b\"", DesktopEntries.execValue(List.of("app", "a b")));
        assertEquals("app 100%%", DesktopEntries.execValue(List.of("app", "100%")));
        assertEquals("app \"100%% sure\"", DesktopEntries.execValue(List.of("app", "100% sure")));
        // The spec: a literal $ in a quoted argument is \\$ in the file; a literal backslash is four of them.
        assertEquals("app \"\\\\$HOME\"", DesktopEntries.execValue(List.of("app", "$HOME")));
        assertEquals("app \"a\\\\\\\\b\"", DesktopEntries.execValue(List.of("app", "a\\b")));
        assertEquals("app \"\\\\\"q\\\\\"\"", DesktopEntries.execValue(List.of("app", "\"q\"")));
        assertEquals("app \"\\\\`x\\\\`\"", DesktopEntries.execValue(List.of("app", "`x`")));
        assertEquals("app \"it's\" \"~/x\" \"a;b\" \"#1\" \"(x)\" \"*?\" \"<>|&\"",
                DesktopEntries.execValue(List.of("app", "it's", "~/x", "a;b", "#1", "(x)", "*?", "<>|&")));
        assertEquals("app \"\"", DesktopEntries.execValue(List.of("app", "")));
        assertEquals("app \"a\\nb\\tc\"", DesktopEntries.execValue(List.of("app", "a\nb\tc")));
        assertThrows(IllegalArgumentException.class, () -> DesktopEntries.execValue(List.of("app", "\u0001")));
        assertThrows(IllegalArgumentException.class, () -> DesktopEntries.execValue(List.of()));
    }

    @Test
    void anyArgumentSurvivesTheRoundTripThroughTheSpecsReadingRules() {
        char[] alphabet = {'a', '7', ' ', '%', '$', '"', '\'', '\\', '`', '\n', '\t', ';', '~', '#', '=', 'é', '*', '&'};
        Random random = new Random(6);
        for (int i = 0; i < 2000; i++) {
            List<String> argv = new ArrayList<>(List.of("/opt/nexus services/bin/nexus-services"));
            for (int n = random.nextInt(3); n >= 0; n--) {
                StringBuilder arg = new StringBuilder();
                for (int j = random.nextInt(7); j > 0; j--) {
                    arg.append(alphabet[random.nextInt(alphabet.length)]);
                }
                argv.add(arg.toString());
            }
            String value = DesktopEntries.execValue(argv);
            assertFalse(value.contains("\n"), "one line: " + value);
            assertEquals(argv, ExecKeyReader.argv(value), value);
        }
    }

    @Test
    void anEntryTheDesktopSwitchedOffDoesNotStart() {
        String ours = DesktopEntries.tray(LinuxFixtures.adaContext());
        assertTrue(DesktopEntries.startsAtLogin(ours));
        assertFalse(DesktopEntries.startsAtLogin(ours.replace("X-GNOME-Autostart-enabled=true", "X-GNOME-Autostart-enabled=false")));
        assertFalse(DesktopEntries.startsAtLogin(ours + "Hidden=true\n"));
        assertTrue(DesktopEntries.startsAtLogin(ours + "[Desktop Action x]\nHidden=true\n"), "another group's keys do not count");
    }

    /**
     * How a desktop reads an Exec value back, from the Desktop Entry Specification: string escapes first
     * (\s \n \t \r \\), then %% for a literal %, then arguments split at spaces with double quotes in which
     * \" \` \$ \\ stand for the character.
     */
    static final class ExecKeyReader {
        static List<String> argv(String value) {
            StringBuilder unescaped = new StringBuilder();
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '\\') {
                    char e = value.charAt(++i);
                    switch (e) {
                        case 's' -> unescaped.append(' ');
                        case 'n' -> unescaped.append('\n');
                        case 't' -> unescaped.append('\t');
                        case 'r' -> unescaped.append('\r');
                        case '\\' -> unescaped.append('\\');
                        default -> throw new AssertionError("unknown string escape \\" + e + " in " + value);
                    }
                } else {
                    unescaped.append(c);
                }
            }
            String fields = unescaped.toString();
            StringBuilder noFieldCodes = new StringBuilder();
            for (int i = 0; i < fields.length(); i++) {
                char c = fields.charAt(i);
                if (c == '%') {
                    if (i + 1 >= fields.length() || fields.charAt(i + 1) != '%') {
                        throw new AssertionError("a field code in " + value);
                    }
                    i++;
                }
                noFieldCodes.append(c);
            }
            String line = noFieldCodes.toString();
            List<String> argv = new ArrayList<>();
            int i = 0;
            while (i < line.length()) {
                if (line.charAt(i) == ' ') {
                    i++;
                    continue;
                }
                StringBuilder arg = new StringBuilder();
                if (line.charAt(i) == '"') {
                    i++;
                    while (line.charAt(i) != '"') {
                        char c = line.charAt(i);
                        if (c == '\\') {
                            char e = line.charAt(i + 1);
                            if ("\"`$\\".indexOf(e) < 0) {
                                throw new AssertionError("a stray backslash in a quoted argument of " + value);
                            }
                            arg.append(e);
                            i += 2;
                        } else {
                            if ("\"`$\\".indexOf(c) >= 0) {
                                throw new AssertionError("an unescaped " + c + " in a quoted argument of " + value);
                            }
                            arg.append(c);
                            i++;
                        }
                    }
                    i++;
                } else {
                    while (i < line.length() && line.charAt(i) != ' ') {
                        char c = line.charAt(i);
                        if (" \t\n\"'\\><~|&;$*?#()`".indexOf(c) >= 0) {
                            throw new AssertionError("a reserved character " + c + " outside quotes in " + value);
                        }
                        arg.append(c);
                        i++;
                    }
                }
                argv.add(arg.toString());
            }
            return argv;
        }
    }
}
