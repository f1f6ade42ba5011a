package io.spendstream.sink.query;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A {@link Writer} onto a chunked HTTP response, for a worker thread that produces a long body. Text is
 * collected into chunks of {@code chunkChars}; each full chunk is written as UTF-8, and while the
 * connection's write queue is full (a client that reads slower than ClickHouse answers) the writer blocks
 * until Vert.x signals drain. Memory is therefore one chunk plus the write queue, whatever the body's
 * size. A client that goes away, or reads nothing for {@code stallTimeout}, fails the write with an
 * {@link IOException}, so the producer stops and releases its query.
 */
final class ChunkedResponseWriter extends Writer {
    private final HttpServerResponse response;
    private final int chunkChars;
    private final Duration stallTimeout;
    private final StringBuilder chunk;
    private final CompletableFuture<Void> closedByClient = new CompletableFuture<>();

    ChunkedResponseWriter(HttpServerResponse response, int chunkChars, Duration stallTimeout) {
        this.response = response;
        this.chunkChars = chunkChars;
        this.stallTimeout = stallTimeout;
        this.chunk = new StringBuilder(chunkChars);
        response.setChunked(true);
        response.closeHandler(v -> closedByClient.complete(null));
    }

    @Override
    public void write(char[] cbuf, int off, int len) throws IOException {
        chunk.append(cbuf, off, len);
        if (chunk.length() >= chunkChars) {
            flush();
        }
    }

    @Override
    public void write(String str, int off, int len) throws IOException {
        chunk.append(str, off, off + len);
        if (chunk.length() >= chunkChars) {
            flush();
        }
    }

    /** Sends what is collected and waits while the client is behind. */
    @Override
    public void flush() throws IOException {
        if (closedByClient.isDone()) {
            throw new IOException("the client closed the connection");
        }
        if (chunk.isEmpty()) {
            return;
        }
        response.write(Buffer.buffer(chunk.toString().getBytes(StandardCharsets.UTF_8)));
        chunk.setLength(0);
        awaitDrain();
    }

    private void awaitDrain() throws IOException {
        if (!response.writeQueueFull()) {
            return;
        }
        CompletableFuture<Void> drained = new CompletableFuture<>();
        response.drainHandler(v -> drained.complete(null));
        if (!response.writeQueueFull()) { // drained between the check and setting the handler
            return;
        }
        try {
            CompletableFuture.anyOf(drained, closedByClient).get(stallTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IOException("the client read nothing for " + stallTimeout.toSeconds() + " s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while the client was behind");
        } catch (ExecutionException e) {
            throw new IOException(e.getCause());
        }
        if (closedByClient.isDone()) {
            throw new IOException("the client closed the connection");
        }
    }

    /** Sends the rest and ends the response. */
    @Override
    public void close() throws IOException {
        flush();
        response.end();
    }

    /**
     * Ends a response whose body cannot be completed (the headers are gone, so no problem+json is possible):
     * the connection is reset, so the client sees a failed download rather than a CSV that looks complete.
     */
    void abort() {
        if (!response.ended()) {
            response.reset();
        }
    }
}
