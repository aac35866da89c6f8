package dev.custos.connectors;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A server on 127.0.0.1 that accepts TCP connections and never says a word: the shape of a hung database. */
public final class SilentServer implements AutoCloseable {

    private final ServerSocket listener;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private SilentServer(ServerSocket listener) {
        this.listener = listener;
        this.acceptor = new Thread(this::acceptForever, "silent-server-" + listener.getLocalPort());
        this.acceptor.setDaemon(true);
        this.acceptor.start();
    }

    public static SilentServer start() {
        try {
            return new SilentServer(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port on 127.0.0.1 that was free a moment ago, so connecting to it is refused. */
    public static int refusedPort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listener.getLocalPort();
    }

    private void acceptForever() {
        while (!listener.isClosed()) {
            try {
                // Keep a reference so the connection stays open (and silent) until close().
                accepted.add(listener.accept());
            } catch (IOException e) {
                return;
            }
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        for (Socket socket : accepted) {
            socket.close();
        }
    }
}
