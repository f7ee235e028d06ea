package io.capstan.server.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.api.Scope;
import io.capstan.api.token.CreateTokenRequest;
import io.capstan.api.token.CreatedToken;
import io.capstan.api.token.TokenView;
import io.capstan.client.CapstanApiException;
import io.capstan.client.CapstanClient;
import io.capstan.client.HttpAnswer;
import io.capstan.server.testing.DatabaseDump;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDatabase;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TestTokens {
    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void aTokenIsShownOnceAndListedOnlyByItsPrefix(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient alice = Fixtures.userClient(server.adminClient(), "alice", Scope.CLUSTERS);
            Instant expiry = Instant.now().plus(Duration.ofDays(7));

            CreatedToken created =
                    alice.createToken(new CreateTokenRequest("notebook", Optional.of(Scope.READ), Optional.of(expiry)));

            assertThat(created.secret()).startsWith(created.token().prefix());
            assertThat(created.token().scope()).isEqualTo(Scope.READ);
            assertThat(created.token().expiresAt()).isPresent();
            HttpAnswer list = alice.send("GET", "/api/v1/tokens", Optional.empty(), new byte[0]);
            assertThat(list.bodyText())
                    .contains(created.token().prefix())
                    .doesNotContain(created.secret())
                    .doesNotContain(
                            created.secret().substring(created.token().prefix().length()));
            assertThat(alice.listTokens(Optional.empty()))
                    .extracting(TokenView::name)
                    .containsExactly("test", "notebook");
            assertThat(alice.withToken(created.secret()).me().scope()).isEqualTo(Scope.READ);
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void theDatabaseHoldsOnlyTheHashOfATokenNeverTheToken(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient alice = Fixtures.userClient(server.adminClient(), "alice", Scope.CLUSTERS);
            CreatedToken created =
                    alice.createToken(new CreateTokenRequest("laptop", Optional.empty(), Optional.empty()));
            String randomPart = created.secret().substring("capstan_".length());

            String dump = DatabaseDump.script(server.server().database());

            assertThat(dump).contains(TokenFormat.hash(created.secret()));
            assertThat(dump).doesNotContain(created.secret()).doesNotContain(randomPart.substring(6));
            assertThat(dump).doesNotContain(server.adminToken().substring(14));
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void aTokenCannotCreateATokenWithMorePowerThanItself(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient alice = Fixtures.userClient(server.adminClient(), "alice", Scope.CLUSTERS);

            assertThatThrownBy(() -> alice.createToken(
                            new CreateTokenRequest("escalate", Optional.of(Scope.ADMIN), Optional.empty())))
                    .isInstanceOfSatisfying(CapstanApiException.class, e -> {
                        assertThat(e.status()).isEqualTo(403);
                        assertThat(e.problem().code()).isEqualTo("insufficient_scope");
                    });
            CreatedToken inherited =
                    alice.createToken(new CreateTokenRequest("same", Optional.empty(), Optional.empty()));
            assertThat(inherited.token().scope()).isEqualTo(Scope.CLUSTERS);
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void anotherUsersTokenCannotBeSeenOrRevoked(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            CapstanClient alice = Fixtures.userClient(admin, "alice", Scope.CLUSTERS);
            CapstanClient bob = Fixtures.userClient(admin, "bob", Scope.CLUSTERS);
            String aliceTokenId = alice.me().tokenId();

            assertThatThrownBy(() -> bob.revokeToken(aliceTokenId))
                    .isInstanceOfSatisfying(
                            CapstanApiException.class,
                            e -> assertThat(e.status()).isEqualTo(404));
            assertThatThrownBy(() -> bob.listTokens(Optional.of("alice")))
                    .isInstanceOfSatisfying(
                            CapstanApiException.class,
                            e -> assertThat(e.status()).isEqualTo(404));
            assertThat(alice.me().user().username()).isEqualTo("alice");

            assertThat(admin.listTokens(Optional.of("alice"))).hasSize(1);
            admin.revokeToken(aliceTokenId);
            assertThatThrownBy(alice::me)
                    .isInstanceOfSatisfying(
                            CapstanApiException.class,
                            e -> assertThat(e.problem().code()).isEqualTo("token_revoked"));
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void lastUseIsRecorded(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient alice = Fixtures.userClient(server.adminClient(), "alice", Scope.READ);
            assertThat(server.adminClient()
                            .listTokens(Optional.of("alice"))
                            .get(0)
                            .lastUsedAt())
                    .isEmpty();

            alice.me();

            List<TokenView> tokens = alice.listTokens(Optional.empty());
            assertThat(tokens.get(0).lastUsedAt()).isPresent();
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void expiryMustBeInTheFutureAndWithinFiveYears(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            for (Instant expiry :
                    List.of(Instant.now().minusSeconds(1), Instant.now().plus(Duration.ofDays(6 * 366)))) {
                assertThatThrownBy(() ->
                                admin.createToken(new CreateTokenRequest("x", Optional.empty(), Optional.of(expiry))))
                        .isInstanceOfSatisfying(CapstanApiException.class, e -> {
                            assertThat(e.problem().code()).isEqualTo("invalid_field");
                            assertThat(e.problem().field()).contains("expiresAt");
                        });
            }
        }
    }
}
