package dev.nexus.services.manager;

/** Text for the XML the OS managers read (launchd plists, Task Scheduler definitions). */
public final class XmlText {
    private XmlText() {
    }

    /**
     * Escapes text for an XML element. Characters XML 1.0 cannot carry at all (NUL and the other C0
     * controls but tab, newline and carriage return) are refused rather than silently dropped: a path or
     * variable that holds one would not reach the service intact.
     */
    public static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&apos;");
                // A carriage return would be normalised to a newline by every XML parser: keep it as a reference.
                case '\r' -> escaped.append("&#13;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' || c == 0xFFFE || c == 0xFFFF) {
                        throw new IllegalArgumentException("cannot write " + describe(text)
                                + " to an XML file: it contains the control character U+"
                                + String.format("%04X", (int) c));
                    }
                    escaped.append(c);
                }
            }
        }
        return escaped.toString();
    }

    private static String describe(String text) {
        StringBuilder shown = new StringBuilder("\"");
        text.chars().forEach(c -> shown.append(c < 0x20 ? String.format("\\u%04X", c) : String.valueOf((char) c)));
        return shown.append('"').toString();
    }
}
