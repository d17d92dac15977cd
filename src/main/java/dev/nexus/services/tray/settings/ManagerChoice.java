package dev.nexus.services.tray.settings;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One entry of the manager list as it stands on this machine: whether it can be picked, how it reads in the
 * list and what its tooltip says (why not, when it cannot).
 *
 * @param text    as the list shows it: "Auto (systemd here)", "launchd (not usable here)"
 * @param tooltip one sentence: what it means, or why it cannot be picked
 */
public record ManagerChoice(ManagerOption option, boolean selectable, String text, String tooltip) {

    /**
     * From the engine's {@code engine.managers} ({@code [{kind, available, reason, effective}]}): the OS
     * managers the engine can use here are offered, the others say why not. A missing or empty list (an
     * engine that does not say) is treated like an engine that cannot be asked.
     */
    public static List<ManagerChoice> fromEngine(JsonNode managers) {
        if (managers == null || !managers.isArray() || managers.isEmpty()) {
            return engineUnknown("the engine did not say which managers are usable here");
        }
        Map<ManagerOption, JsonNode> byOption = new EnumMap<>(ManagerOption.class);
        for (JsonNode m : managers) {
            try {
                byOption.put(ManagerOption.ofId(m.path("kind").asText()), m);
            } catch (IllegalArgumentException e) {
                // a manager this tray does not know yet: it cannot be offered
            }
        }
        List<ManagerChoice> choices = new ArrayList<>();
        for (ManagerOption option : ManagerOption.all()) {
            JsonNode m = byOption.get(option);
            if (option == ManagerOption.AUTO) {
                String picks = m == null ? null : m.path("effective").asText(null);
                choices.add(auto(picks));
            } else if (option == ManagerOption.EMBEDDED) {
                choices.add(embedded());
            } else if (m != null && m.path("available").asBoolean(false)) {
                choices.add(new ManagerChoice(option, true, option.label(),
                        option.label() + ": " + option.description() + "."));
            } else {
                String reason = m == null ? "this engine does not know it" : m.path("reason").asText("not usable here");
                choices.add(new ManagerChoice(option, false, option.label() + " (not usable here)",
                        option.label() + " cannot be used here: " + reason));
            }
        }
        return List.copyOf(choices);
    }

    /** The engine cannot be asked: auto and embedded can be picked; the OS managers wait for the engine's word. */
    public static List<ManagerChoice> engineUnknown(String why) {
        List<ManagerChoice> choices = new ArrayList<>();
        for (ManagerOption option : ManagerOption.all()) {
            if (option == ManagerOption.AUTO) {
                choices.add(auto(null));
            } else if (option == ManagerOption.EMBEDDED) {
                choices.add(embedded());
            } else {
                choices.add(new ManagerChoice(option, false, option.label() + " (unknown)",
                        "Whether " + option.label() + " can be used here is known once the engine runs (" + why + ")."));
            }
        }
        return List.copyOf(choices);
    }

    private static ManagerChoice auto(String picks) {
        ManagerOption auto = ManagerOption.AUTO;
        if (picks == null || picks.isBlank()) {
            return new ManagerChoice(auto, true, auto.label(), auto.label() + ": " + auto.description() + ".");
        }
        String label;
        try {
            label = ManagerOption.ofId(picks).label().toLowerCase(java.util.Locale.ROOT);
        } catch (IllegalArgumentException e) {
            label = picks;
        }
        return new ManagerChoice(auto, true, auto.label() + " (" + label + " here)",
                auto.label() + ": " + auto.description() + "; here that is " + label + ".");
    }

    private static ManagerChoice embedded() {
        ManagerOption e = ManagerOption.EMBEDDED;
        return new ManagerChoice(e, true, e.label(), e.label() + ": " + e.description() + ".");
    }
}
