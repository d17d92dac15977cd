package dev.nexus.services.benchtray;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A stand-in daemon for the tray benchmark: listens on 127.0.0.1:PORT and answers each connection. */
public final class BenchListener {
    private BenchListener() {
    }

    public static void main(String[] args) throws IOException {
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])));
            while (true) {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    out.write("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes());
                }
            }
        }
    }
}
