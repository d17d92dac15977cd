package dev.nexus.services.tray.logs;

import java.util.ArrayList;
import java.util.List;

/** Case-insensitive search in a line, and the line cut into plain and matching pieces for display. */
public final class Highlight {
    /** Longer lines are shown cut (the search still sees all of them): one huge line must not stall the view. */
    public static final int MAX_SHOWN_CHARS = 2_000;

    /** A piece of a line; {@code match} pieces are highlighted. */
    public record Segment(String text, boolean match) {
    }

    private Highlight() {
    }

    /** Whether {@code text} contains {@code query}, ignoring case; a blank query matches nothing. */
    public static boolean contains(String text, String query) {
        return query != null && !query.isEmpty() && indexOf(text, query, 0) >= 0;
    }

    /**
     * {@code text} cut into pieces around each case-insensitive occurrence of {@code query}, at most
     * {@code maxChars} characters of it, and a note of what was left out.
     */
    public static List<Segment> segments(String text, String query, int maxChars) {
        String shown = text.length() > maxChars ? text.substring(0, maxChars) : text;
        List<Segment> out = new ArrayList<>();
        int from = 0;
        if (query != null && !query.isEmpty()) {
            for (int at = indexOf(shown, query, 0); at >= 0; at = indexOf(shown, query, at + query.length())) {
                if (at > from) {
                    out.add(new Segment(shown.substring(from, at), false));
                }
                out.add(new Segment(shown.substring(at, at + query.length()), true));
                from = at + query.length();
            }
        }
        if (from < shown.length() || out.isEmpty()) {
            out.add(new Segment(shown.substring(from), false));
        }
        if (shown.length() < text.length()) {
            out.add(new Segment(" … (" + (text.length() - shown.length()) + " more characters)", false));
        }
        return out;
    }

    /**
     * regionMatches rather than lowercasing both: lowercasing can change a string's length, which would
     * shift the highlighted ranges.
     */
    private static int indexOf(String text, String query, int from) {
        for (int i = from, last = text.length() - query.length(); i <= last; i++) {
            if (text.regionMatches(true, i, query, 0, query.length())) {
                return i;
            }
        }
        return -1;
    }
}
