package dev.vigil.bench;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.GlobalKTable;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.processor.api.FixedKeyProcessor;
import org.apache.kafka.streams.processor.api.FixedKeyProcessorContext;
import org.apache.kafka.streams.processor.api.FixedKeyRecord;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.apache.kafka.streams.state.WindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;
import org.apache.kafka.streams.state.internals.RocksDbWindowBytesStoreSupplier;

/**
 * Vigil's fraud topology written for Kafka Streams, as the reference in bench/latency:
 *
 * <pre>
 * transactions → validate → (rejected → dead letter)
 *              → dedupe by transaction id (1 h window store, RocksDB, as Vigil's DedupeProcessor)
 *              → left join user-profiles (GlobalKTable, by user id)
 *              → features (card-state key-value store, card-recent window store, both RocksDB)
 *              → fixed-weights logistic score → occlusion reasons → alerts (Confluent wire format)
 * </pre>
 *
 * Same stores, same window semantics (exact (t − w, t] windows from a 24 h window store with
 * duplicates), same alert message. Records are keyed by card id by the producer, as in Vigil.
 */
public final class FraudReference {
  static final String CARD_STATE = "fraud-card-state";
  static final String CARD_RECENT = "fraud-card-recent";
  static final String DEDUPE = "fraud-dedupe";
  /** Vigil's DEFAULT_DEDUPE_WINDOW_MS. */
  static final long DEDUPE_WINDOW_MS = 3_600_000L;

  record Profiled(Messages.Transaction tx, Messages.Profile profile) {}

  record Checked(Messages.Transaction tx, byte[] raw) {}

  public static void main(String[] argv) throws Exception {
    Map<String, String> a = new HashMap<>();
    for (int i = 0; i + 1 < argv.length; i += 2) a.put(argv[i].replaceFirst("^--", ""), argv[i + 1]);
    Logistic model = Logistic.load(Path.of(a.get("model")));
    byte[] alertHeader = HexFormat.of().parseHex(a.get("alert-header"));

    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, a.get("app-id"));
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, a.get("brokers"));
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
        a.getOrDefault("guarantee", "exactly_once").equals("exactly_once") ? StreamsConfig.EXACTLY_ONCE_V2 : StreamsConfig.AT_LEAST_ONCE);
    // Vigil's default; Kafka Streams' own default is 100 ms under exactly-once, 30 s otherwise.
    p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, a.getOrDefault("commit-interval", "100"));
    p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "1");
    p.put(StreamsConfig.STATE_DIR_CONFIG, a.get("state-dir"));
    // Kafka Streams sets its producer's linger.ms to 100 ms; Vigil's kafkajs producer lingers not at all
    // (it sends each processed batch's output at once). Matched here, default 0 (issue 12).
    p.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), a.getOrDefault("linger-ms", "0"));
    // Kafka Streams' consumers do not leave the group on close (internal.leave.group.on.close=false), so a new instance
    // with this application id (the harness's restore measurement) waited out the 45 s session timeout of the old one
    // before its first assignment. Vigil's consumer leaves on close; so does this one.
    p.put(StreamsConfig.mainConsumerPrefix("internal.leave.group.on.close"), "true");

    StreamsBuilder b = new StreamsBuilder();
    b.addStateStore(Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(CARD_STATE), Serdes.String(), Serdes.ByteArray())
        .withCachingEnabled());
    b.addStateStore(Stores.windowStoreBuilder(
        Stores.persistentWindowStore(CARD_RECENT, Duration.ofMillis(Features.DAY_MS), Duration.ofMillis(1), true),
        Serdes.String(), Serdes.ByteArray()));
    // Vigil's dedupe store: keyed by transaction id, 1 ms windows at the event time, 1 h retention, no duplicates,
    // no cache. Stores.persistentWindowStore would cut segments of retention / 2 = 30 min, and each segment is a
    // RocksDB instance: the replay runs 3 days of event time per 1,701 transactions, so that opened a new RocksDB
    // every ~12 transactions (46 tx/s against 775 without the step, in a smoke run). The segment interval here is
    // card-recent's (12 h), so the step costs the same segment churn as the store beside it; retention stays 1 h.
    if (!a.getOrDefault("dedupe", "true").equals("false")) {
      long segmentMs = Long.parseLong(a.getOrDefault("dedupe-segment-ms", String.valueOf(Features.DAY_MS / 2)));
      b.addStateStore(Stores.windowStoreBuilder(
          new RocksDbWindowBytesStoreSupplier(DEDUPE, DEDUPE_WINDOW_MS, segmentMs, 1L, false,
              RocksDbWindowBytesStoreSupplier.WindowStoreTypes.DEFAULT_WINDOW_STORE),
          Serdes.String(), Serdes.ByteArray()));
    }

    GlobalKTable<String, Messages.Profile> profiles = b.globalTable(
        a.get("profiles-topic"),
        Consumed.with(Serdes.String(), Serdes.serdeFrom((t, v) -> null, (t, bytes) -> {
          try {
            return bytes == null ? null : Messages.parseProfile(bytes);
          } catch (Exception e) {
            return null;
          }
        })));

    KStream<String, Checked> checked = b.stream(a.get("tx-topic"), Consumed.with(Serdes.String(), Serdes.ByteArray()))
        .mapValues((raw) -> new Checked(validate(raw), raw));
    Map<String, KStream<String, Checked>> branches = checked.split(Named.as("validation-"))
        .branch((k, v) -> v.tx() != null, Branched.as("valid"))
        .defaultBranch(Branched.as("rejected"));
    branches.get("validation-rejected").mapValues(Checked::raw)
        .to(a.get("dlq-topic"), Produced.with(Serdes.String(), Serdes.ByteArray()));

    String alerts = a.get("alerts-topic");
    KStream<String, Messages.Transaction> valid = branches.get("validation-valid").mapValues(Checked::tx);
    if (!a.getOrDefault("dedupe", "true").equals("false")) valid = valid.processValues(Dedupe::new, DEDUPE).filter((k, v) -> v != null);
    valid
        .leftJoin(profiles, (card, tx) -> tx.userId(), Profiled::new)
        .processValues(() -> new FeatureAndScore(model, alertHeader), CARD_STATE, CARD_RECENT)
        .filter((k, v) -> v != null)
        .to(alerts, Produced.with(Serdes.String(), Serdes.ByteArray()));

    KafkaStreams streams = new KafkaStreams(b.build(), p);
    CountDownLatch stopped = new CountDownLatch(1);
    streams.setStateListener((next, prev) -> {
      System.out.println("state " + prev + " -> " + next);
      if (next == KafkaStreams.State.RUNNING) System.out.println("RUNNING");
      if (next == KafkaStreams.State.ERROR || next == KafkaStreams.State.NOT_RUNNING) stopped.countDown();
    });
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      // Leave the group on close (with the main consumer's internal.leave.group.on.close above: CloseOptions alone
      // did not send the LeaveGroup in a smoke run, where the restore instance took 44 s to RUNNING; with both, 8 s).
      streams.close(new KafkaStreams.CloseOptions().timeout(Duration.ofSeconds(10)).leaveGroup(true));
      stopped.countDown();
    }));
    streams.start();
    stopped.await();
  }

  /** validation.ts: the same rules, returns null for a record that goes to the dead letter. */
  static Messages.Transaction validate(byte[] raw) {
    if (raw == null) return null;
    Messages.Transaction tx;
    try {
      tx = Messages.parseTransaction(raw);
    } catch (Exception e) {
      return null;
    }
    if (tx.cardId().isBlank()) return null;
    if (tx.amountMinor() < 0 || tx.amountMinor() > 10_000_000L) return null;
    if (tx.eventTimeMs() <= 0 || tx.eventTimeMs() > Instant.now().toEpochMilli() + 3_600_000L) return null;
    return tx;
  }

  /**
   * Vigil's DedupeProcessor: a transaction id seen within the window (at its event time) is dropped; the
   * first copy is remembered with its card, amount and source coordinates, as Vigil stores them.
   */
  static final class Dedupe implements FixedKeyProcessor<String, Messages.Transaction, Messages.Transaction> {
    private FixedKeyProcessorContext<String, Messages.Transaction> context;
    private WindowStore<String, byte[]> seen;

    @Override
    public void init(FixedKeyProcessorContext<String, Messages.Transaction> context) {
      this.context = context;
      seen = context.getStateStore(DEDUPE);
    }

    @Override
    public void process(FixedKeyRecord<String, Messages.Transaction> record) {
      Messages.Transaction tx = record.value();
      String id = tx.transactionId();
      if (id.isEmpty()) {
        context.forward(record);
        return;
      }
      long t = tx.eventTimeMs();
      if (seen.fetch(id, t) != null) {
        context.forward(record.withValue(null));
        return;
      }
      RecordMetadata m = context.recordMetadata().orElseThrow();
      String entry = "{\"card\":\"" + tx.cardId() + "\",\"amount\":" + tx.amountMinor()
          + ",\"at\":{\"topic\":\"" + m.topic() + "\",\"partition\":" + m.partition() + ",\"offset\":" + m.offset() + "}}";
      seen.put(id, entry.getBytes(StandardCharsets.UTF_8), t);
      context.forward(record);
    }
  }

  /** FeatureProcessor + scoring + DecisionProcessor of Vigil in one processor (no micro-batching: a logistic score needs none). */
  static final class FeatureAndScore implements FixedKeyProcessor<String, Profiled, byte[]> {
    private final Logistic model;
    private final byte[] header;
    private FixedKeyProcessorContext<String, byte[]> context;
    private KeyValueStore<String, byte[]> cardState;
    private WindowStore<String, byte[]> recent;

    FeatureAndScore(Logistic model, byte[] header) {
      this.model = model;
      this.header = header;
    }

    @Override
    public void init(FixedKeyProcessorContext<String, byte[]> context) {
      this.context = context;
      cardState = context.getStateStore(CARD_STATE);
      recent = context.getStateStore(CARD_RECENT);
    }

    @Override
    public void process(FixedKeyRecord<String, Profiled> record) {
      Messages.Transaction tx = record.value().tx();
      String card = tx.cardId();
      long t = tx.eventTimeMs();
      byte[] stateBytes = cardState.get(card);
      Features.CardState state = stateBytes == null ? null : Features.CardState.fromBytes(stateBytes);
      List<Features.Recent> earlier = new ArrayList<>();
      try (WindowStoreIterator<byte[]> it = recent.fetch(card, t - Features.DAY_MS + 1, t)) {
        while (it.hasNext()) earlier.add(Features.Recent.fromBytes(it.next().value));
      }
      Features.Computed c = Features.compute(tx, record.value().profile(), state, earlier);
      cardState.put(card, c.nextState().toBytes());
      recent.put(card, c.recent().toBytes(), t);
      double score = model.score(c.values());
      if (!(score >= model.threshold)) {
        context.forward(record.withValue(null));
        return;
      }
      RecordMetadata m = context.recordMetadata().orElseThrow();
      byte[] alert = Messages.encodeAlert(header, tx, score, model.version, model.reasons(c.values(), score), m.topic(), m.partition(), m.offset());
      context.forward(record.withValue(alert));
    }
  }
}
