package dev.nexus.services.health;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body up to a limit. A body over the limit (or one that breaks off) yields null
 * and the subscription is cancelled, so a probe never buffers or waits for an unbounded body; the
 * status code alone then decides the result.
 */
final class LimitedBodySubscriber implements BodySubscriber<byte[]> {
    private final int limit;
    private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> body = new CompletableFuture<>();
    private Flow.Subscription subscription;

    LimitedBodySubscriber(int limit) {
        this.limit = limit;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return body;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        for (ByteBuffer b : items) {
            if (buffer.size() + b.remaining() > limit) {
                subscription.cancel();
                body.complete(null);
                return;
            }
            byte[] bytes = new byte[b.remaining()];
            b.get(bytes);
            buffer.write(bytes, 0, bytes.length);
        }
        subscription.request(1);
    }

    @Override
    public void onError(Throwable throwable) {
        body.complete(null);
    }

    @Override
    public void onComplete() {
        body.complete(buffer.toByteArray());
    }
}
