package dev.nexus.services.manager.windows;

import java.io.ByteArrayInputStream;
import java.io.StringReader;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.xpath.XPath;
import javax.xml.xpath.XPathConstants;
import javax.xml.xpath.XPathFactory;
import org.w3c.dom.Document;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

/** A task definition read back with the JDK's XML parser; fields by path, in the Task Scheduler namespace. */
final class TaskXmlDocs {
    static final String NS = "http://schemas.microsoft.com/windows/2004/02/mit/task";
    private final Document doc;
    private final XPath xpath = XPathFactory.newInstance().newXPath();

    private TaskXmlDocs(Document doc) {
        this.doc = doc;
        xpath.setNamespaceContext(new javax.xml.namespace.NamespaceContext() {
            @Override
            public String getNamespaceURI(String prefix) {
                return NS;
            }

            @Override
            public String getPrefix(String uri) {
                return "t";
            }

            @Override
            public java.util.Iterator<String> getPrefixes(String uri) {
                return java.util.List.of("t").iterator();
            }
        });
    }

    static TaskXmlDocs parse(String xml) throws Exception {
        return new TaskXmlDocs(factory().newDocumentBuilder().parse(new InputSource(new StringReader(xml))));
    }

    /** As written to disk: the parser must find the encoding from the byte order mark. */
    static TaskXmlDocs parse(byte[] file) throws Exception {
        return new TaskXmlDocs(factory().newDocumentBuilder().parse(new ByteArrayInputStream(file)));
    }

    private static DocumentBuilderFactory factory() {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory;
    }

    /** e.g. "Settings/ExecutionTimeLimit"; "" when absent. */
    String text(String path) throws Exception {
        return (String) xpath.evaluate("/t:Task/" + path.replaceAll("(^|/)([A-Za-z])", "$1t:$2"), doc, XPathConstants.STRING);
    }

    boolean has(String path) throws Exception {
        NodeList nodes = (NodeList) xpath.evaluate("/t:Task/" + path.replaceAll("(^|/)([A-Za-z])", "$1t:$2"), doc,
                XPathConstants.NODESET);
        return nodes.getLength() > 0;
    }

    String version() {
        return doc.getDocumentElement().getAttribute("version");
    }

    String encoding() {
        return doc.getXmlEncoding();
    }
}
