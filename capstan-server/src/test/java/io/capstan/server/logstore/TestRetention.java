package io.capstan.server.logstore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.capstan.api.account.AccountView;
import io.capstan.api.account.CreateAccountRequest;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingClock;
import io.capstan.server.testing.TestingDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.UnaryOperator;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The 30-day log store, driven by an injected clock and checked in the database itself: what retention removes is
 * gone from the table, not only from the API, and what it keeps still decrypts.
 */
class TestRetention {
    private static final Instant DAY_ZERO = Instant.parse("2026-01-01T12:00:00Z");

    private static Instant day(int day) {
        return DAY_ZERO.plus(Duration.ofDays(day));
    }

    private static long count(Jdbi jdbi, String subjectId) {
        return jdbi.withHandle(
                handle -> handle.createQuery("SELECT COUNT(*) FROM log_entries WHERE subject_id = :subject")
                        .bind("subject", subjectId)
                        .mapTo(Long.class)
                        .one());
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void theJobAtStartRemovesEntriesOlderThanThirtyDaysAndKeepsYoungerOnes(TestingDatabase.Kind kind) {
        TestingClock clock = new TestingClock(DAY_ZERO);
        try (TestingCapstanServer server = TestingCapstanServer.start(kind, UnaryOperator.identity(), clock)) {
            AccountView account = server.adminClient().createAccount(new CreateAccountRequest("team"));
            LogStore store = new LogStore(
                    server.server().database().jdbi(), server.server().keyring(), clock);
            store.append(account.id(), "old", List.of(new LogStore.Message(LogEntry.EVENT, "test", day(0), "day 0")));
            store.append(account.id(), "edge", List.of(new LogStore.Message(LogEntry.EVENT, "test", day(2), "day 2")));
            store.append(
                    account.id(), "young", List.of(new LogStore.Message(LogEntry.EVENT, "test", day(10), "day 10")));
            server.stop();

            clock.set(day(31)); // day 0 is now 31 days old, day 2 is 29 days old
            server.startAgain();
            Jdbi jdbi = server.server().database().jdbi();
            await().atMost(Duration.ofSeconds(20)).until(() -> count(jdbi, "old") == 0);

            assertThat(count(jdbi, "edge")).isEqualTo(1);
            assertThat(count(jdbi, "young")).isEqualTo(1);
            LogStore reopened = new LogStore(jdbi, server.server().keyring(), clock);
            assertThat(reopened.read(account.id(), "edge", LogEntry.EVENT, 0, Instant.EPOCH, 10))
                    .extracting(LogStore.Entry::text)
                    .containsExactly("day 2");

            ScheduledExecutorService unused = Executors.newSingleThreadScheduledExecutor(); // run() is called here
            try {
                RetentionJob job = new RetentionJob(jdbi, Duration.ofDays(30), unused, clock);
                assertThat(job.run())
                        .as("a second run finds nothing more to do")
                        .isZero();
                clock.set(day(33));
                assertThat(job.run()).as("day 2 passes thirty days on day 32").isEqualTo(1);
            } finally {
                unused.shutdownNow();
            }
            assertThat(count(jdbi, "edge")).isZero();
            assertThat(count(jdbi, "young")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void twoServersRunningTheJobAtOnceRemoveEveryOldEntryExactlyOnce(TestingDatabase.Kind kind) throws Exception {
        TestingClock clock = new TestingClock(DAY_ZERO);
        try (TestingCapstanServer server = TestingCapstanServer.start(kind, UnaryOperator.identity(), clock)) {
            AccountView account = server.adminClient().createAccount(new CreateAccountRequest("team"));
            Jdbi jdbi = server.server().database().jdbi();
            LogStore store = new LogStore(jdbi, server.server().keyring(), clock);
            int old = 12_345; // three batches and a bit
            for (int start = 0; start < old; start += 1_000) {
                List<LogStore.Message> messages = new ArrayList<>();
                for (int i = start; i < Math.min(old, start + 1_000); i++) {
                    messages.add(new LogStore.Message(LogEntry.LOG, "worker-0.stdout", day(0), "line " + i));
                }
                store.append(account.id(), "busy", messages);
            }
            store.append(account.id(), "kept", List.of(new LogStore.Message(LogEntry.LOG, "x", day(40), "kept")));
            clock.set(day(45));

            ScheduledExecutorService timer = Executors.newScheduledThreadPool(2);
            try {
                RetentionJob first = new RetentionJob(jdbi, Duration.ofDays(30), timer, clock);
                RetentionJob second = new RetentionJob(jdbi, Duration.ofDays(30), timer, clock);
                CyclicBarrier together = new CyclicBarrier(2);
                CompletableFuture<Long> one = CompletableFuture.supplyAsync(() -> runAfter(together, first));
                CompletableFuture<Long> two = CompletableFuture.supplyAsync(() -> runAfter(together, second));
                assertThat(one.get() + two.get()).isEqualTo(old);
            } finally {
                timer.shutdownNow();
            }
            assertThat(count(jdbi, "busy")).isZero();
            assertThat(count(jdbi, "kept")).isEqualTo(1);
            assertThat(Optional.of(new LogStore(jdbi, server.server().keyring(), clock)
                            .read(account.id(), "kept", LogEntry.LOG, 0, Instant.EPOCH, 10)))
                    .hasValueSatisfying(entries ->
                            assertThat(entries).extracting(LogStore.Entry::text).containsExactly("kept"));
        }
    }

    private static long runAfter(CyclicBarrier barrier, RetentionJob job) {
        try {
            barrier.await();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return job.run();
    }
}
