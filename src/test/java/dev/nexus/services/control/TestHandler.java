package dev.nexus.services.control;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.nexus.services.support.Json;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A small engine stand-in: echo, refusals, failures, a blocking op and an event subscription. */
final class TestHandler implements ControlHandler {
    static final String SECRET = "hunter2-secret-token";

    final List<ControlSession> subscribers = new CopyOnWriteArrayList<>();
    final AtomicInteger closedSubscribers = new AtomicInteger();
    final CountDownLatch release = new CountDownLatch(1);
    final CountDownLatch blocking = new CountDownLatch(1);

    @Override
    public JsonNode handle(String op, JsonNode args, ControlSession session) throws ControlException {
        switch (op) {
            case "echo":
                return args;
            case "refuse":
                throw new ControlException(args.path("code").asText(), args.path("message").asText());
            case "boom":
                throw new IllegalStateException("cannot reach https://user:" + SECRET + "@example.invalid");
            case "subscribe":
                subscribers.add(session);
                session.onClose(() -> {
                    subscribers.remove(session);
                    closedSubscribers.incrementAndGet();
                });
                return Json.MAPPER.createObjectNode().put("subscribed", true);
            case "publish":
                for (ControlSession subscriber : subscribers) {
                    subscriber.sendEvent("tick", args);
                }
                return Json.MAPPER.createObjectNode().put("subscribers", subscribers.size());
            case "block":
                blocking.countDown();
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return Json.MAPPER.createObjectNode().put("released", true);
            default:
                throw new ControlException(ControlProtocol.UNKNOWN_OP, "no op named '" + op + "'");
        }
    }

    static ObjectNode args(Object... keyValues) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        for (int i = 0; i < keyValues.length; i += 2) {
            node.set((String) keyValues[i], Json.MAPPER.valueToTree(keyValues[i + 1]));
        }
        return node;
    }
}
