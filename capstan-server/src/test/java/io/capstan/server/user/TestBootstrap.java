package io.capstan.server.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.Scope;
import io.capstan.api.user.UserView;
import io.capstan.server.testing.DatabaseDump;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDatabase;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TestBootstrap {
    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void theFirstStartCreatesOneAdministratorAndARestartNone(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            assertThat(server.bootstrapTokens()).hasSize(1);
            assertThat(server.adminClient().me().scope()).isEqualTo(Scope.ADMIN);
            assertThat(server.adminClient().me().user().serverAdmin()).isTrue();
            assertThat(DatabaseDump.script(server.server().database())).doesNotContain(server.adminToken());

            server.stop();
            server.startAgain();
            server.stop();
            server.startAgain();

            assertThat(server.bootstrapTokens()).hasSize(1);
            assertThat(server.adminClient().listUsers())
                    .extracting(UserView::username)
                    .containsExactly("admin");
            assertThat(server.adminClient().listTokens(java.util.Optional.empty()))
                    .hasSize(1);
        }
    }
}
