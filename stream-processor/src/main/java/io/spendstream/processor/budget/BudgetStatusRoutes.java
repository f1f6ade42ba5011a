package io.spendstream.processor.budget;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.spendstream.http.InternalAccess;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Supplier;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Budget status over Kafka Streams interactive queries, on the stream processor's ops port, for
 * ingest-api to call (it is not meant to face the internet: ingest-api authenticates the org):
 * <ul>
 *   <li>{@code GET /internal/budget-status/{org_id}}: every budget of the org;</li>
 *   <li>{@code GET /internal/budget-status/{org_id}/{budget_id}}: one budget, or 404.</li>
 * </ul>
 * The org's state lives in the task of the org's partition. The instance asked looks up that task's
 * active host ({@code application.server}) and answers from its own stores, or forwards the request
 * once to the owner. While ownership is moving (rebalance, restore) the answer is 503 with
 * Retry-After, never a guess. The routes sit behind {@link io.spendstream.http.InternalAuth}; a forward
 * carries the service token like ingest-api's requests. Problems name no host, port or exception: ingest-api
 * relays them to its clients.
 */
public final class BudgetStatusRoutes {
    public static final String PATH = "/internal/budget-status";
    static final String FORWARDED = "X-Spendstream-Forwarded";
    private static final Logger LOG = LoggerFactory.getLogger(BudgetStatusRoutes.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<KafkaStreams> streams;
    private final Supplier<HostInfo> self;
    private final Clock clock;
    private final InternalAccess access;
    private HttpClient http;

    private BudgetStatusRoutes(Supplier<KafkaStreams> streams, Supplier<HostInfo> self, Clock clock,
                               InternalAccess access) {
        this.streams = streams;
        this.self = self;
        this.clock = clock;
        this.access = access;
    }

    /**
     * @param streams the client, null until it is created
     * @param self    this instance's {@code application.server}, known once the port listens
     * @param access  the service token the other instances' ops ports expect on a forward
     */
    public static void mount(Router router, Supplier<KafkaStreams> streams, Supplier<HostInfo> self, Clock clock,
                             InternalAccess access) {
        BudgetStatusRoutes r = new BudgetStatusRoutes(streams, self, clock, access);
        router.get(PATH + "/:org").handler(ctx -> r.handle(ctx, ctx.pathParam("org"), null));
        router.get(PATH + "/:org/:budget").handler(ctx -> r.handle(ctx, ctx.pathParam("org"), ctx.pathParam("budget")));
    }

    private void handle(RoutingContext ctx, String org, String budgetId) {
        KafkaStreams ks = streams.get();
        KeyQueryMetadata md = ks == null ? null
                : ks.queryMetadataForKey(BudgetTopology.BUDGETS_STORE, org, new StringSerializer());
        if (md == null || md.equals(KeyQueryMetadata.NOT_AVAILABLE)) {
            unavailable(ctx, "budget state is not queryable yet (starting or rebalancing)");
            return;
        }
        if (md.activeHost().equals(self.get())) {
            // Answered on the event loop: a status is a handful of point reads and one short prefix scan of
            // the org's keys in RocksDB behind the record cache (microseconds), and handing it to a worker
            // thread cost more than the reads under load on two cores (see docs/benchmarks.md).
            Optional<ObjectNode> answer;
            try {
                answer = readLocal(ks, md.partition(), org, budgetId);
            } catch (InvalidStateStoreException e) {
                LOG.debug("budget state of org {} is moving: {}", org, e.toString());
                unavailable(ctx, "budget state is moving (rebalancing or restoring); retry shortly");
                return;
            }
            if (answer.isEmpty()) {
                problem(ctx, 404, "not-found", "Not found", "no budget " + budgetId + " in org " + org, null);
            } else {
                ctx.response().putHeader("Content-Type", "application/json").end(answer.get().toString());
            }
        } else if (ctx.request().getHeader(FORWARDED) != null) {
            unavailable(ctx, "the org's state moved while the request was forwarded");
        } else {
            forward(ctx, md.activeHost());
        }
    }

    private Optional<ObjectNode> readLocal(KafkaStreams ks, int partition, String org, String budgetId) {
        BudgetStatusReader reader = new BudgetStatusReader(store(ks, BudgetTopology.BUDGETS_STORE, partition),
                store(ks, BudgetTopology.SPEND_STORE, partition), store(ks, BudgetTopology.PERIODS_STORE, partition),
                clock);
        return budgetId == null ? Optional.of(reader.org(org)) : reader.budget(org, budgetId);
    }

    private static <V> ReadOnlyKeyValueStore<String, V> store(KafkaStreams ks, String name, int partition) {
        return ks.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.<String, V>keyValueStore())
                .withPartition(partition));
    }

    private void forward(RoutingContext ctx, HostInfo owner) {
        String path = ctx.request().path();
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost(owner.host())
                .setPort(owner.port()).setURI(path).putHeader(FORWARDED, self.get().host() + ":" + self.get().port())
                .setTimeout(2_000);
        if (access.token() != null) {
            options.putHeader(InternalAccess.HEADER, access.token().reveal());
        }
        http(ctx.vertx()).request(options).compose(req -> req.send()).compose(resp -> resp.body().map(body -> {
            var out = ctx.response().setStatusCode(resp.statusCode());
            copy(resp.getHeader("Content-Type"), "Content-Type", out);
            copy(resp.getHeader("Retry-After"), "Retry-After", out);
            out.end(body);
            return null;
        })).onFailure(e -> {
            LOG.warn("forward of {} to {}:{} failed: {}", path, owner.host(), owner.port(), e.toString());
            unavailable(ctx, "the instance holding the org's budget state did not answer; retry shortly");
        });
    }

    private synchronized HttpClient http(Vertx vertx) {
        if (http == null) {
            http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(2_000).setKeepAlive(true));
        }
        return http;
    }

    private static void copy(String value, String name, io.vertx.core.http.HttpServerResponse out) {
        if (value != null) {
            out.putHeader(name, value);
        }
    }

    private static void unavailable(RoutingContext ctx, String detail) {
        problem(ctx, 503, "unavailable", "Service temporarily unavailable", detail, 1);
    }

    private static void problem(RoutingContext ctx, int status, String slug, String title, String detail,
                                Integer retryAfter) {
        if (ctx.response().ended()) {
            return;
        }
        ObjectNode n = JSON.createObjectNode();
        n.put("type", "https://spendstream.dev/problems/" + slug);
        n.put("title", title);
        n.put("status", status);
        n.put("detail", detail);
        var resp = ctx.response().setStatusCode(status).putHeader("Content-Type", "application/problem+json");
        if (retryAfter != null) {
            resp.putHeader("Retry-After", Integer.toString(retryAfter));
        }
        resp.end(n.toString());
    }
}
