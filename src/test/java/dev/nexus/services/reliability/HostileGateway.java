package dev.nexus.services.reliability;

import com.fasterxml.jackson.databind.JsonNode;
import dev.nexus.services.support.Json;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * TEST DOUBLE: a WebSocket server on 127.0.0.1 that speaks bytes, not a library's idea of the protocol, so
 * it can send what no well-behaved server would: frames with reserved opcodes or RSV bits, masked server
 * frames, oversized control frames, lengths it never delivers, invalid UTF-8, as well as any gateway JSON.
 * Each accepted connection runs the {@link Script} the supplier gives for its number, and how it ended is
 * recorded in {@link #ended}.
 */
final class HostileGateway implements AutoCloseable {
    private static final String WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

    static final int OP_CONTINUATION = 0x0;
    static final int OP_TEXT = 0x1;
    static final int OP_BINARY = 0x2;
    static final int OP_CLOSE = 0x8;
    static final int OP_PING = 0x9;
    static final int OP_PONG = 0xA;

    /** What a script does on its connection, one step after another. */
    interface Step {
        void run(Conn conn) throws IOException, InterruptedException;
    }

    /** A case: its steps, then how the server leaves the connection. */
    record Script(long seed, String summary, List<Step> steps, End end) {
    }

    enum End {
        /** Close the TCP connection at once. */
        DROP,
        /** Keep it open until the client closes it; past {@link #HOLD_LIMIT_MS} that is a hang. */
        HOLD
    }

    /** How one connection ended. */
    record Ended(int index, long seed, String summary, long millis, String how, int clientFrames) {
        boolean hung() {
            return how.startsWith("hold limit");
        }
    }

    static final long HOLD_LIMIT_MS = 8_000;

    private final ServerSocket server;
    private final IntFunction<Script> scripts;
    private final AtomicInteger accepted = new AtomicInteger();
    final List<Ended> ended = new CopyOnWriteArrayList<>();
    /** Bugs of the test's own scripts: they would otherwise pass for the client's doing. */
    final List<RuntimeException> brokenScripts = new CopyOnWriteArrayList<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    /** The last case each client (told apart by its token) connected to: for failures seen on the client side. */
    final java.util.Map<String, String> lastCaseOfToken = new ConcurrentHashMap<>();
    private volatile boolean closed;

    HostileGateway(IntFunction<Script> scripts) throws IOException {
        this.scripts = scripts;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 200);
        Thread accept = new Thread(this::acceptLoop, "hostile-gateway-accept");
        accept.setDaemon(true);
        accept.start();
    }

    int port() {
        return server.getLocalPort();
    }

    String url() {
        return "ws://127.0.0.1:" + port() + "/";
    }

    int accepted() {
        return accepted.get();
    }

    int openConnections() {
        return open.size();
    }

    private void acceptLoop() {
        while (!closed) {
            Socket socket;
            try {
                socket = server.accept();
            } catch (IOException e) {
                return;
            }
            int index = accepted.getAndIncrement();
            open.add(socket);
            Thread t = new Thread(() -> serve(index, socket), "hostile-gateway-" + index);
            t.setDaemon(true);
            t.start();
        }
    }

    private void serve(int index, Socket socket) {
        long started = System.nanoTime();
        Script script;
        try {
            script = scripts.apply(index);
        } catch (RuntimeException e) {
            script = new Script(0, "no script: " + e, List.of(), End.DROP);
            brokenScripts.add(e);
        }
        Conn conn = null;
        String how;
        try (socket) {
            socket.setTcpNoDelay(true);
            conn = new Conn(socket);
            conn.caseLabel = script.summary() + " (" + FuzzRandom.replayHint(script.seed()) + ")";
            if (!conn.handshake()) {
                how = "no handshake";
            } else {
                for (Step step : script.steps()) {
                    step.run(conn);
                }
                how = script.end() == End.HOLD ? conn.holdUntilClientCloses() : "dropped by the server";
            }
        } catch (EOFException | SocketException e) {
            how = "closed by the client during the script";
        } catch (IOException e) {
            how = "i/o: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            how = "interrupted";
        } catch (RuntimeException e) {
            how = "the script failed: " + e;
            brokenScripts.add(e);
        }
        ended.add(new Ended(index, script.seed(), script.summary(), (System.nanoTime() - started) / 1_000_000, how,
                conn == null ? 0 : conn.clientFrames));
        open.remove(socket); // after the record, so that "no connection open" means every case is recorded
    }

    @Override
    public void close() throws IOException {
        closed = true;
        server.close();
        for (Socket s : open) {
            s.close();
        }
    }

    /** One connection: the handshake, raw frames out, the client's frames in. */
    final class Conn {
        final Socket socket;
        String caseLabel = "";
        final InputStream in;
        final OutputStream out;
        int clientFrames;

        Conn(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        boolean handshake() throws IOException {
            socket.setSoTimeout(5_000);
            String request = readHead();
            String key = null;
            for (String line : request.split("\r\n")) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("sec-websocket-key")) {
                    key = line.substring(colon + 1).trim();
                }
            }
            if (key == null) {
                return false;
            }
            String accept;
            try {
                accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + WS_GUID).getBytes(StandardCharsets.US_ASCII)));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            raw(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Accept: " + accept + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return true;
        }

        private String readHead() throws IOException {
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            int last4 = 0;
            while (last4 != 0x0D0A0D0A) {
                int b = in.read();
                if (b < 0) {
                    throw new EOFException("no request");
                }
                head.write(b);
                last4 = (last4 << 8) | b;
                if (head.size() > 16_384) {
                    throw new IOException("request head too large");
                }
            }
            return head.toString(StandardCharsets.US_ASCII);
        }

        void raw(byte[] bytes) throws IOException {
            out.write(bytes);
            out.flush();
        }

        void text(String text) throws IOException {
            raw(frame(true, 0, OP_TEXT, text.getBytes(StandardCharsets.UTF_8), false));
        }

        /** A tree as text; numbers the mutator made unrepresentable are written raw (see {@link JsonMutator}). */
        void json(JsonNode node) throws IOException {
            raw(frame(true, 0, OP_TEXT, JsonMutator.toBytes(node, false), false));
        }

        /**
         * Reads client frames until a text frame whose JSON "method" is {@code method} arrives; returns its
         * "id", or null when none came within {@code timeoutMs} (or the client closed).
         */
        String awaitRequest(String method, int timeoutMs) throws IOException {
            long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
            ByteArrayOutputStream message = new ByteArrayOutputStream();
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return null;
                }
                socket.setSoTimeout((int) Math.max(1, left));
                int[] header = new int[2];
                byte[] payload;
                try {
                    payload = readFrame(header);
                } catch (SocketTimeoutException e) {
                    return null;
                }
                if (payload == null) {
                    return null;
                }
                clientFrames++;
                int opcode = header[0];
                boolean fin = header[1] == 1;
                if (opcode == OP_CLOSE) {
                    return null;
                }
                if (opcode == OP_TEXT || opcode == OP_CONTINUATION) {
                    message.writeBytes(payload);
                    if (fin) {
                        String text = message.toString(StandardCharsets.UTF_8);
                        message.reset();
                        try {
                            JsonNode node = Json.MAPPER.readTree(text);
                            if (node != null && method.equals(node.path("method").asText())) {
                                String token = node.path("params").path("auth").path("token").asText(null);
                                if (token != null) {
                                    lastCaseOfToken.put(token, caseLabel);
                                }
                                return node.path("id").asText();
                            }
                        } catch (IOException e) {
                            // the client sent something that is not JSON: ignore it here, the test checks the client
                        }
                    }
                }
            }
        }

        /** Keeps reading (and ignoring) until the client closes; a client that never does hangs. */
        String holdUntilClientCloses() throws IOException {
            long deadline = System.nanoTime() + HOLD_LIMIT_MS * 1_000_000L;
            while (true) {
                long left = (deadline - System.nanoTime()) / 1_000_000;
                if (left <= 0) {
                    return "hold limit: the client neither finished nor closed within " + HOLD_LIMIT_MS + " ms";
                }
                socket.setSoTimeout((int) Math.max(1, left));
                int[] header = new int[2];
                try {
                    byte[] payload = readFrame(header);
                    if (payload == null) {
                        return "closed by the client";
                    }
                    clientFrames++;
                    if (header[0] == OP_CLOSE) {
                        // Answer the close like a server would, then hang up.
                        raw(frame(true, 0, OP_CLOSE, payload.length >= 2 ? new byte[] {payload[0], payload[1]} : new byte[0],
                                false));
                        return "closed by the client (close frame)";
                    }
                } catch (SocketTimeoutException e) {
                    // loop: the deadline decides
                } catch (SocketException | EOFException e) {
                    return "closed by the client";
                }
            }
        }

        /** One client frame's payload (unmasked); header[0] = opcode, header[1] = fin; null at end of stream. */
        private byte[] readFrame(int[] header) throws IOException {
            int b0 = in.read();
            if (b0 < 0) {
                return null;
            }
            int b1 = readByte();
            header[0] = b0 & 0x0F;
            header[1] = (b0 & 0x80) != 0 ? 1 : 0;
            boolean masked = (b1 & 0x80) != 0;
            long length = b1 & 0x7F;
            if (length == 126) {
                length = (readByte() << 8) | readByte();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte();
                }
            }
            if (length > 64L * 1024 * 1024) {
                throw new IOException("client frame too large: " + length);
            }
            byte[] mask = new byte[4];
            if (masked) {
                readFully(mask);
            }
            byte[] payload = new byte[(int) length];
            readFully(payload);
            if (masked) {
                for (int i = 0; i < payload.length; i++) {
                    payload[i] ^= mask[i % 4];
                }
            }
            return payload;
        }

        private int readByte() throws IOException {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("end of stream inside a frame");
            }
            return b;
        }

        private void readFully(byte[] into) throws IOException {
            int at = 0;
            while (at < into.length) {
                int n = in.read(into, at, into.length - at);
                if (n < 0) {
                    throw new EOFException("end of stream inside a frame");
                }
                at += n;
            }
        }
    }

    /**
     * The bytes of one frame as a server would send it, or not: {@code rsv} sets RSV1-3 (bits 0-2),
     * {@code masked} masks it (which a server must never do).
     */
    static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked) {
        return frame(fin, rsv, opcode, payload, masked, payload.length);
    }

    /** As {@link #frame(boolean, int, int, byte[], boolean)} but announcing {@code declaredLength} bytes. */
    static byte[] frame(boolean fin, int rsv, int opcode, byte[] payload, boolean masked, long declaredLength) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(payload.length + 14);
        out.write((fin ? 0x80 : 0) | ((rsv & 0x7) << 4) | (opcode & 0x0F));
        int maskBit = masked ? 0x80 : 0;
        if (declaredLength < 126) {
            out.write(maskBit | (int) declaredLength);
        } else if (declaredLength <= 0xFFFF) {
            out.write(maskBit | 126);
            out.write((int) (declaredLength >>> 8) & 0xFF);
            out.write((int) declaredLength & 0xFF);
        } else {
            out.write(maskBit | 127);
            for (int i = 7; i >= 0; i--) {
                out.write((int) (declaredLength >>> (8 * i)) & 0xFF);
            }
        }
        if (masked) {
            byte[] mask = {0x12, 0x34, 0x56, 0x78};
            out.writeBytes(mask);
            byte[] copy = payload.clone();
            for (int i = 0; i < copy.length; i++) {
                copy[i] ^= mask[i % 4];
            }
            out.writeBytes(copy);
        } else {
            out.writeBytes(payload);
        }
        return out.toByteArray();
    }
}
