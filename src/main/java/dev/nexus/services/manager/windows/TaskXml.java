package dev.nexus.services.manager.windows;

/** Text for a task definition's XML elements, escaped; XML 1.0 cannot carry most control characters at all. */
final class TaskXml {
    private TaskXml() {
    }

    static String escape(String text) {
        StringBuilder escaped = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '&' -> escaped.append("&amp;");
                case '<' -> escaped.append("&lt;");
                case '>' -> escaped.append("&gt;");
                case '"' -> escaped.append("&quot;");
                case '\'' -> escaped.append("&apos;");
                case '\r' -> escaped.append("&#13;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' || c == 0xFFFE || c == 0xFFFF) {
                        throw new IllegalArgumentException("cannot write \"" + text.replaceAll("\\p{Cntrl}", "?")
                                + "\" to a task definition: it contains the control character U+"
                                + String.format("%04X", (int) c));
                    }
                    escaped.append(c);
                }
            }
        }
        return escaped.toString();
    }
}
