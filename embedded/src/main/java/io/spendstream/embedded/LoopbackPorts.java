package io.spendstream.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

/**
 * Helpers for TCP ports on the loopback interface (127.0.0.1).
 *
 * <p>{@link #freePort()} asks the kernel for an unused port and releases it again, so another
 * process may take it before the caller binds it; the window is small and acceptable for tests
 * and the local run. Components that need truly race-free ports (like {@link KafkaTestCluster})
 * keep the socket bound instead.
 */
public final class LoopbackPorts {

    /** The loopback address every embedded component binds to. */
    public static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    private LoopbackPorts() {
    }

    /**
     * Returns a TCP port on 127.0.0.1 that was free at the time of the call.
     *
     * @return a port number in the ephemeral range
     * @throws UncheckedIOException if no port could be bound
     */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket()) {
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, 0));
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("Could not find a free TCP port on " + LOOPBACK.getHostAddress(), e);
        }
    }

    /**
     * Returns {@code count} distinct TCP ports on 127.0.0.1 that were free at the time of the call
     * (all are held open until every one is chosen, so they cannot repeat).
     *
     * @param count how many ports
     * @return the port numbers
     * @throws UncheckedIOException if the ports could not be bound
     */
    public static int[] freePorts(int count) {
        ServerSocket[] sockets = new ServerSocket[count];
        try {
            int[] ports = new int[count];
            for (int i = 0; i < count; i++) {
                sockets[i] = new ServerSocket();
                sockets[i].setReuseAddress(true);
                sockets[i].bind(new InetSocketAddress(LOOPBACK, 0));
                ports[i] = sockets[i].getLocalPort();
            }
            return ports;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not find " + count + " free TCP ports on " + LOOPBACK.getHostAddress(), e);
        } finally {
            for (ServerSocket socket : sockets) {
                if (socket != null) {
                    try {
                        socket.close();
                    } catch (IOException ignored) {
                        // nothing to do: the port is released either way
                    }
                }
            }
        }
    }

    /**
     * Fails with a clear message if {@code port} cannot be bound on 127.0.0.1 right now.
     *
     * @param port    the port to check (1-65535)
     * @param setting what the port is for, used in the message, e.g. {@code "Kafka broker port (listeners)"}
     * @throws IllegalArgumentException if the port is out of range
     * @throws IllegalStateException    if the port is already in use
     */
    public static void requireFree(int port, String setting) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException(setting + " must be between 1 and 65535, was " + port);
        }
        try (ServerSocket socket = new ServerSocket()) {
            // Same option the Kafka socket server uses, so a port in TIME_WAIT is not reported as taken.
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(LOOPBACK, port));
        } catch (IOException e) {
            throw new IllegalStateException(setting + ": port " + port + " on " + LOOPBACK.getHostAddress()
                    + " is already in use (" + e.getMessage() + "). Stop the process that holds it or choose another port.", e);
        }
    }
}
