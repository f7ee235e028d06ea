package io.capstan.server.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.api.account.AccountView;
import io.capstan.api.account.CreateAccountRequest;
import io.capstan.api.account.MemberView;
import io.capstan.api.user.CreateUserRequest;
import io.capstan.api.user.MembershipView;
import io.capstan.api.user.UserView;
import io.capstan.client.CapstanApiException;
import io.capstan.client.CapstanClient;
import io.capstan.client.HttpAnswer;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDatabase;
import java.util.Optional;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TestAccountsAndUsers {
    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void anAdministratorBuildsATeam(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            admin.createAccount(new CreateAccountRequest("team-a"));
            UserView alice = admin.createUser(new CreateUserRequest("alice", "alice@example.com", false));
            Fixtures.user(admin, "bob");

            admin.setMember("team-a", "alice", Role.ADMIN);
            AccountView account = admin.setMember("team-a", "bob", Role.MEMBER);

            assertThat(alice.serverAdmin()).isFalse();
            assertThat(account.members())
                    .extracting(MemberView::username, MemberView::role)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("alice", Role.ADMIN),
                            org.assertj.core.groups.Tuple.tuple("bob", Role.MEMBER));
            CapstanClient aliceClient = admin.withToken(Fixtures.token(admin, "alice", Scope.READ));
            assertThat(aliceClient.me().user().memberships()).containsExactly(new MembershipView("team-a", Role.ADMIN));
            assertThat(admin.listUsers()).extracting(UserView::username).containsExactly("admin", "alice", "bob");
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void anAccountDoesNotExistForNonMembers(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            Fixtures.account(admin, "team-a");
            CapstanClient outsider = Fixtures.userClient(admin, "mallory", Scope.ADMIN);

            HttpAnswer existing = outsider.send("GET", "/api/v1/accounts/team-a", Optional.empty(), new byte[0]);
            HttpAnswer missing = outsider.send("GET", "/api/v1/accounts/no-such", Optional.empty(), new byte[0]);

            assertThat(existing.status()).isEqualTo(404).isEqualTo(missing.status());
            assertThat(existing.bodyText().replace("team-a", "X"))
                    .isEqualTo(missing.bodyText().replace("no-such", "X"));
            assertThat(outsider.listAccounts()).isEmpty();
            assertThat(admin.listAccounts()).extracting(AccountView::name).containsExactly("team-a");
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void onlyServerAdministratorsCreateAccountsAndUsers(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient alice = Fixtures.userClient(server.adminClient(), "alice", Scope.ADMIN);

            assertForbidden(() -> alice.createAccount(new CreateAccountRequest("mine")));
            assertForbidden(() -> alice.createUser(new CreateUserRequest("eve", "eve@example.com", true)));
            assertForbidden(alice::listUsers);
            assertThat(server.adminClient().listAccounts()).isEmpty();
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void accountAdminsManageMembersAndMembersDoNot(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            Fixtures.account(admin, "team-a");
            CapstanClient lead = Fixtures.userClient(admin, "lead", Scope.ADMIN);
            CapstanClient member = Fixtures.userClient(admin, "member", Scope.ADMIN);
            Fixtures.user(admin, "newcomer");
            admin.setMember("team-a", "lead", Role.ADMIN);
            admin.setMember("team-a", "member", Role.MEMBER);

            lead.setMember("team-a", "newcomer", Role.MEMBER);
            assertForbidden(() -> member.removeMember("team-a", "newcomer"));
            lead.removeMember("team-a", "newcomer");

            assertThat(admin.showAccount("team-a").members())
                    .extracting(MemberView::username)
                    .containsExactly("lead", "member");
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void aRemovedMemberLosesSightOfTheAccountAtOnce(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            Fixtures.account(admin, "team-a");
            CapstanClient alice = Fixtures.userClient(admin, "alice", Scope.READ);
            admin.setMember("team-a", "alice", Role.MEMBER);
            assertThat(alice.showAccount("team-a").name()).isEqualTo("team-a");

            admin.removeMember("team-a", "alice");

            assertThatThrownBy(() -> alice.showAccount("team-a"))
                    .isInstanceOfSatisfying(
                            CapstanApiException.class,
                            e -> assertThat(e.status()).isEqualTo(404));
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void namesAreUniqueAndDuplicatesConflict(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            Fixtures.account(admin, "team-a");
            Fixtures.user(admin, "alice");

            assertThatThrownBy(() -> Fixtures.account(admin, "team-a"))
                    .isInstanceOfSatisfying(
                            CapstanApiException.class,
                            e -> assertThat(e.problem().code()).isEqualTo("already_exists"));
            assertThatThrownBy(() -> Fixtures.user(admin, "alice"))
                    .isInstanceOfSatisfying(
                            CapstanApiException.class,
                            e -> assertThat(e.problem().code()).isEqualTo("already_exists"));
            assertThatThrownBy(() -> Fixtures.user(admin, "admin"))
                    .isInstanceOfSatisfying(
                            CapstanApiException.class,
                            e -> assertThat(e.status()).isEqualTo(409));
        }
    }

    private static void assertForbidden(ThrowingCallable call) {
        assertThatThrownBy(call).isInstanceOfSatisfying(CapstanApiException.class, e -> {
            assertThat(e.status()).isEqualTo(403);
            assertThat(e.problem().code()).isEqualTo("forbidden");
        });
    }
}
