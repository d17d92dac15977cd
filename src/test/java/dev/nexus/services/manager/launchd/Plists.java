package dev.nexus.services.manager.launchd;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

/**
 * Reads a generated plist back with the JDK's XML parser (never fetching Apple's DTD) into plain Java
 * values: dict → Map, array → List, string → String, integer → Long, true/false → Boolean. A file that is
 * not well-formed XML fails here.
 */
final class Plists {
    private Plists() {
    }

    static Map<String, Object> read(String xml) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
        factory.setNamespaceAware(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(null);
        Document doc = builder.parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
        Element plist = doc.getDocumentElement();
        if (!plist.getTagName().equals("plist")) {
            throw new IllegalArgumentException("root is <" + plist.getTagName() + ">, not <plist>");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> top = (Map<String, Object>) value(elements(plist).get(0));
        return top;
    }

    private static Object value(Element e) {
        return switch (e.getTagName()) {
            case "dict" -> {
                Map<String, Object> map = new LinkedHashMap<>();
                List<Element> children = elements(e);
                for (int i = 0; i < children.size(); i += 2) {
                    if (!children.get(i).getTagName().equals("key")) {
                        throw new IllegalArgumentException("expected <key>, got <" + children.get(i).getTagName() + ">");
                    }
                    map.put(children.get(i).getTextContent(), value(children.get(i + 1)));
                }
                yield map;
            }
            case "array" -> {
                List<Object> list = new ArrayList<>();
                elements(e).forEach(c -> list.add(value(c)));
                yield list;
            }
            case "string" -> e.getTextContent();
            case "integer" -> Long.parseLong(e.getTextContent());
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> throw new IllegalArgumentException("unexpected <" + e.getTagName() + ">");
        };
    }

    private static List<Element> elements(Element parent) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element el) {
                out.add(el);
            }
        }
        return out;
    }
}
