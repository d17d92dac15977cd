package dev.nexus.services.catalog;

/** A sub-component shown as a child health item of its service (the gateway's bridge, canvas, ...). */
public record ChildSpec(String name, String displayName, ProbeSpec probe) {
}
