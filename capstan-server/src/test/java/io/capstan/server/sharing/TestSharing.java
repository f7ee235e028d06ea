package io.capstan.server.sharing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.capstan.api.Json;
import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.api.Visibility;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.cluster.CreateClusterRequest;
import io.capstan.api.configuration.ClusterOptions;
import io.capstan.api.configuration.ConfigurationView;
import io.capstan.api.configuration.CreateConfigurationRequest;
import io.capstan.api.environment.CreateEnvironmentRequest;
import io.capstan.api.environment.EnvironmentView;
import io.capstan.api.environment.PackagePin;
import io.capstan.api.environment.UpdateEnvironmentRequest;
import io.capstan.api.notebook.NotebookView;
import io.capstan.api.notebook.PushNotebookRequest;
import io.capstan.api.notebook.UpdateNotebookRequest;
import io.capstan.client.CapstanApiException;
import io.capstan.client.CapstanClient;
import io.capstan.client.HttpAnswer;
import io.capstan.server.logstore.LogEntry;
import io.capstan.server.logstore.LogStore;
import io.capstan.server.testing.Clusters;
import io.capstan.server.testing.DatabaseDump;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDatabase;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A team's story: public and private environments, configurations and notebooks, seen from inside and out. */
class TestSharing {
    private record Team(CapstanClient admin, CapstanClient ann, CapstanClient bob, CapstanClient eve) {}

    private static Team team(TestingCapstanServer server) {
        CapstanClient admin = server.adminClient();
        Fixtures.account(admin, "team-a");
        Fixtures.account(admin, "team-b");
        CapstanClient ann = Fixtures.userClient(admin, "ann", Scope.CLUSTERS);
        CapstanClient bob = Fixtures.userClient(admin, "bob", Scope.CLUSTERS);
        CapstanClient eve = Fixtures.userClient(admin, "eve", Scope.CLUSTERS);
        admin.setMember("team-a", "ann", Role.MEMBER);
        admin.setMember("team-a", "bob", Role.MEMBER);
        admin.setMember("team-b", "eve", Role.MEMBER);
        return new Team(admin, ann, bob, eve);
    }

    private static CreateEnvironmentRequest environment(String name, Optional<Visibility> visibility) {
        return new CreateEnvironmentRequest(
                name,
                Optional.empty(),
                Optional.of("/usr/bin/python3"),
                Optional.empty(),
                Optional.of(List.of(new PackagePin("distributed", "==2022.12.1"))),
                Optional.of("Debian's Dask"),
                visibility);
    }

    /** A cluster of no workers (only a scheduler runs), unless its configuration says otherwise. */
    private static CreateClusterRequest cluster(
            String name, Optional<String> configuration, Optional<String> environment) {
        return new CreateClusterRequest(
                Optional.of(name),
                Optional.empty(),
                configuration.isPresent() ? Optional.empty() : Optional.of(0),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                Optional.empty(),
                configuration,
                environment,
                Optional.empty(),
                Optional.empty());
    }

    @Test
    void aPublicEnvironmentIsSharedAndAPrivateConfigurationStaysInTheTeam() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            Team team = team(server);
            EnvironmentView python = team.ann().createEnvironment(environment("py", Optional.empty()));
            ConfigurationView small = team.ann()
                    .createConfiguration(new CreateConfigurationRequest(
                            "small",
                            Optional.empty(),
                            new ClusterOptions(
                                    Optional.of(1),
                                    Optional.of(1),
                                    Optional.of(512L * 1024 * 1024),
                                    Optional.empty(),
                                    Optional.empty(),
                                    Optional.of("py"),
                                    Optional.of(Map.of("from", "small"))),
                            Optional.empty(),
                            Optional.of(Visibility.PRIVATE)));

            assertThat(python.visibility()).isEqualTo(Visibility.PUBLIC);
            assertThat(small.visibility()).isEqualTo(Visibility.PRIVATE);
            assertThat(team.bob().listEnvironments())
                    .extracting(EnvironmentView::name)
                    .containsExactly("py");
            assertThat(team.bob().listConfigurations())
                    .extracting(ConfigurationView::name)
                    .containsExactly("small");
            assertThat(team.eve().listEnvironments())
                    .extracting(EnvironmentView::name)
                    .containsExactly("py");
            assertThat(team.eve().listConfigurations()).isEmpty();

            ClusterView bobs =
                    team.bob().createCluster(cluster("bobs", Optional.of("small"), Optional.empty()), Optional.empty());
            assertThat(bobs.workers()).isEqualTo(1);
            assertThat(bobs.labels()).containsEntry("from", "small");
            ClusterView overridden = team.bob()
                    .createCluster(
                            new CreateClusterRequest(
                                    Optional.of("bigger"),
                                    Optional.empty(),
                                    Optional.of(0),
                                    Optional.empty(),
                                    Optional.empty(),
                                    Optional.empty(),
                                    Optional.empty(),
                                    Optional.empty(),
                                    Optional.of("small"),
                                    Optional.empty(),
                                    Optional.empty(),
                                    Optional.empty()),
                            Optional.empty());
            assertThat(overridden.workers()).isZero();
            ClusterView eves = team.eve()
                    .createCluster(cluster("eves", Optional.empty(), Optional.of("team-a/py")), Optional.empty());
            assertThat(eves.account()).isEqualTo("team-b");

            HttpAnswer hidden =
                    team.eve().send("GET", "/api/v1/configurations/team-a/small", Optional.empty(), new byte[0]);
            HttpAnswer unknown =
                    team.eve().send("GET", "/api/v1/configurations/team-a/nothing", Optional.empty(), new byte[0]);
            assertThat(hidden.status()).isEqualTo(404).isEqualTo(unknown.status());
            assertThat(hidden.bodyText().replace("small", "X"))
                    .isEqualTo(unknown.bodyText().replace("nothing", "X"));
            assertNotFound(() -> team.eve()
                    .createCluster(cluster("x", Optional.of("team-a/small"), Optional.empty()), Optional.empty()));
            assertNotFound(() -> team.eve().showCluster(bobs.id()));
            assertThat(team.eve().listClusters(Optional.empty()))
                    .extracting(ClusterView::name)
                    .containsExactly("eves");
            Clusters.awaitState(team.eve(), eves.id(), "running");
        }
    }

    @Test
    void makingAnEnvironmentPrivateHidesItButDoesNotBreakRunningClusters() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            Team team = team(server);
            team.ann().createEnvironment(environment("py", Optional.empty()));
            ClusterView eves = team.eve()
                    .createCluster(cluster("eves", Optional.empty(), Optional.of("team-a/py")), Optional.empty());
            Clusters.awaitState(team.eve(), eves.id(), "running");

            EnvironmentView hidden = team.ann()
                    .updateEnvironment(
                            "team-a",
                            "py",
                            new UpdateEnvironmentRequest(
                                    Optional.of(Visibility.PRIVATE), Optional.empty(), Optional.empty()));

            assertThat(hidden.visibility()).isEqualTo(Visibility.PRIVATE);
            assertNotFound(() -> team.eve().showEnvironment("team-a", "py"));
            assertNotFound(() -> team.eve()
                    .createCluster(cluster("again", Optional.empty(), Optional.of("team-a/py")), Optional.empty()));
            assertThat(team.eve().showCluster(eves.id()).state()).isEqualTo("running");
            team.ann().deleteEnvironment("team-a", "py");
            assertThat(team.eve().showCluster(eves.id()).state()).isEqualTo("running");
        }
    }

    @Test
    void onlyTheCreatorOrAnAccountAdminChangesAResource() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            Team team = team(server);
            team.ann().createEnvironment(environment("py", Optional.empty()));
            UpdateEnvironmentRequest hide =
                    new UpdateEnvironmentRequest(Optional.of(Visibility.PRIVATE), Optional.empty(), Optional.empty());

            assertForbidden(() -> team.bob().updateEnvironment("team-a", "py", hide));
            assertForbidden(() -> team.eve().deleteEnvironment("team-a", "py"));
            team.admin().setMember("team-a", "bob", Role.ADMIN);
            assertThat(team.bob().updateEnvironment("team-a", "py", hide).visibility())
                    .isEqualTo(Visibility.PRIVATE);
        }
    }

    @Test
    void environmentsNameRealInterpretersAndWellFormedImagesOnly() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            Team team = team(server);
            for (String python : List.of(
                    "python3",
                    "/usr/bin/../bin/python3",
                    "/nonexistent/python",
                    "/etc/passwd",
                    "/usr/bin/python3; rm -rf /",
                    "/tmp/$(id)")) {
                assertInvalid(
                        () -> team.ann()
                                .createEnvironment(new CreateEnvironmentRequest(
                                        "bad",
                                        Optional.empty(),
                                        Optional.of(python),
                                        Optional.empty(),
                                        Optional.empty(),
                                        Optional.empty(),
                                        Optional.empty())),
                        "pythonExecutable");
            }
            for (String image : List.of(
                    "UPPER/case",
                    "http://evil.example/x",
                    "a b",
                    "image:tag with space",
                    "x".repeat(300),
                    "registry:99999999/x")) {
                assertInvalid(
                        () -> team.ann()
                                .createEnvironment(new CreateEnvironmentRequest(
                                        "bad",
                                        Optional.empty(),
                                        Optional.empty(),
                                        Optional.of(image),
                                        Optional.empty(),
                                        Optional.empty(),
                                        Optional.empty())),
                        "image");
            }
            assertInvalid(
                    () -> team.ann()
                            .createEnvironment(new CreateEnvironmentRequest(
                                    "bad",
                                    Optional.empty(),
                                    Optional.of("/usr/bin/python3"),
                                    Optional.empty(),
                                    Optional.of(List.of(new PackagePin("dask; curl x", "1"))),
                                    Optional.empty(),
                                    Optional.empty())),
                    "packages");
            EnvironmentView image = team.ann()
                    .createEnvironment(new CreateEnvironmentRequest(
                            "container",
                            Optional.empty(),
                            Optional.empty(),
                            Optional.of("ghcr.io/dask/dask:2024.1.0"),
                            Optional.empty(),
                            Optional.empty(),
                            Optional.empty()));
            assertThat(image.image()).contains("ghcr.io/dask/dask:2024.1.0");
            assertInvalid(
                    () -> team.ann()
                            .createCluster(cluster("x", Optional.empty(), Optional.of("container")), Optional.empty()),
                    "environment");
            assertThat(team.ann().listEnvironments())
                    .extracting(EnvironmentView::name)
                    .containsExactly("container");
        }
    }

    @Test
    void notebooksArePushedPulledValidatedAndEncrypted() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            Team team = team(server);
            JsonNode notebook = Json.lenient().readTree("""
                    {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                     "cells": [{"cell_type": "code", "source": ["print('canary-nb-41c7')"], "metadata": {},
                                "outputs": [], "execution_count": null},
                               {"cell_type": "markdown", "source": "# Title", "metadata": {}}]}
                    """);

            NotebookView pushed = team.ann()
                    .pushNotebook(
                            "team-a", "analysis", new PushNotebookRequest(Optional.of(Visibility.PRIVATE), notebook));

            assertThat(pushed.cells()).isEqualTo(2);
            assertThat(Json.lenient().readTree(team.bob().pullNotebook("team-a", "analysis")))
                    .isEqualTo(notebook);
            assertNotFound(() -> team.eve().pullNotebook("team-a", "analysis"));
            assertThat(DatabaseDump.script(server.server().database())).doesNotContain("canary-nb-41c7");
            assertForbidden(() ->
                    team.bob().pushNotebook("team-a", "analysis", new PushNotebookRequest(Optional.empty(), notebook)));
            team.ann().updateNotebook("team-a", "analysis", new UpdateNotebookRequest(Optional.of(Visibility.PUBLIC)));
            assertThat(team.eve().pullNotebook("team-a", "analysis")).isNotEmpty();

            for (String bad : List.of(
                    "{}",
                    "[]",
                    "{\"nbformat\": 3, \"nbformat_minor\": 0, \"metadata\": {}," + " \"cells\": []}",
                    "{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}, \"cells\":"
                            + " [{\"cell_type\": \"evil\", \"source\": \"\"}]}")) {
                assertInvalid(
                        () -> team.ann()
                                .pushNotebook(
                                        "team-a",
                                        "bad",
                                        new PushNotebookRequest(
                                                Optional.empty(), Json.lenient().readTree(bad))),
                        "notebook");
            }
            String huge = "{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}, \"cells\": [{\"cell_type\":"
                    + " \"raw\", \"source\": \"" + "x".repeat(6 * 1024 * 1024) + "\"}]}";
            HttpAnswer tooLarge = team.ann()
                    .send(
                            "PUT",
                            "/api/v1/notebooks/team-a/huge",
                            Optional.of("application/json"),
                            ("{\"notebook\": " + huge + "}").getBytes(UTF_8));
            assertThat(tooLarge.status()).isEqualTo(413);
            assertThat(team.ann().listNotebooks())
                    .extracting(NotebookView::name)
                    .containsExactly("analysis");
        }
    }

    @Test
    void everyChangeToASharedResourceIsRecordedAsAnEvent() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            Team team = team(server);
            EnvironmentView created = team.ann().createEnvironment(environment("py", Optional.empty()));
            team.ann()
                    .updateEnvironment(
                            "team-a",
                            "py",
                            new UpdateEnvironmentRequest(
                                    Optional.of(Visibility.PRIVATE), Optional.empty(), Optional.empty()));
            team.ann().deleteEnvironment("team-a", "py");
            String account = team.admin().showAccount("team-a").id();

            List<LogStore.Entry> events = new LogStore(
                            server.server().database().jdbi(), server.server().keyring(), Clock.systemUTC())
                    .read(account, created.id(), LogEntry.EVENT, 0, Instant.EPOCH, 100);

            assertThat(events)
                    .extracting(LogStore.Entry::text)
                    .containsExactly(
                            "environment py created by ann (public)",
                            "environment py updated by ann (private)",
                            "environment py deleted by ann");
        }
    }

    @Test
    void theServerCanMakeNewResourcesPrivateByDefault() {
        try (TestingCapstanServer server = TestingCapstanServer.start(
                TestingDatabase.Kind.H2, builder -> builder.defaultVisibility(Visibility.PRIVATE), Clock.systemUTC())) {
            Team team = team(server);

            assertThat(team.ann()
                            .createEnvironment(environment("py", Optional.empty()))
                            .visibility())
                    .isEqualTo(Visibility.PRIVATE);
            assertThat(team.eve().listEnvironments()).isEmpty();
        }
    }

    @Test
    void bodiesThatTryToSetOwnershipIdentityDatesStateOrQuotasAreRefusedAndChangeNothing() {
        try (TestingCapstanServer server = TestingCapstanServer.start(TestingDatabase.Kind.H2)) {
            Team team = team(server);
            team.ann().createEnvironment(environment("py", Optional.empty()));
            Map<String, List<String>> before =
                    DatabaseDump.tables(server.server().database(), Set.of("api_tokens.last_used_at"));
            List<String[]> attempts = List.of(
                    new String[] {"PATCH", "/api/v1/environments/team-a/py", "{\"account\": \"team-b\"}"},
                    new String[] {"PATCH", "/api/v1/environments/team-a/py", "{\"owner\": \"eve\"}"},
                    new String[] {"PATCH", "/api/v1/environments/team-a/py", "{\"id\": \"env_x\"}"},
                    new String[] {"PATCH", "/api/v1/environments/team-a/py", "{\"createdAt\": \"2020-01-01T00:00:00Z\"}"
                    },
                    new String[] {"PATCH", "/api/v1/environments/team-a/py", "{\"creatorId\": \"usr_x\"}"},
                    new String[] {"POST", "/api/v1/clusters", "{\"name\": \"x\", \"state\": \"running\"}"},
                    new String[] {"POST", "/api/v1/clusters", "{\"name\": \"x\", \"id\": \"clu_x\"}"},
                    new String[] {"POST", "/api/v1/clusters", "{\"name\": \"x\", \"owner\": \"eve\"}"},
                    new String[] {
                        "POST", "/api/v1/clusters", "{\"name\": \"x\", \"createdAt\": \"2020-01-01T00:00:00Z\"}"
                    },
                    new String[] {"POST", "/api/v1/clusters", "{\"name\": \"x\", \"quotaClusters\": 99}"},
                    new String[] {
                        "POST",
                        "/api/v1/environments",
                        "{\"name\": \"y\", \"pythonExecutable\":" + " \"/usr/bin/python3\", \"accountId\": \"acc_x\"}"
                    },
                    new String[] {"PUT", "/api/v1/accounts/team-a/quota", "{\"clusters\": 1, \"used\": 0}"},
                    new String[] {
                        "PUT",
                        "/api/v1/accounts/team-a/members/bob",
                        "{\"role\": \"admin\", \"account\":" + " \"team-b\"}"
                    });
            for (String[] attempt : attempts) {
                HttpAnswer answer = team.admin()
                        .withToken(Fixtures.token(team.admin(), "ann", Scope.ADMIN))
                        .send(attempt[0], attempt[1], Optional.of("application/json"), attempt[2].getBytes(UTF_8));
                assertThat(answer.status()).as(String.join(" ", attempt)).isEqualTo(400);
                assertThat(CapstanClient.problemOf(answer).code()).isEqualTo("unknown_field");
            }
            Map<String, List<String>> after =
                    DatabaseDump.tables(server.server().database(), Set.of("api_tokens.last_used_at"));
            after.remove("api_tokens");
            before.remove("api_tokens");
            assertThat(after).isEqualTo(before);
        }
    }

    private static void assertNotFound(ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        CapstanApiException.class, e -> assertThat(e.status()).isEqualTo(404));
    }

    private static void assertForbidden(ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(
                        CapstanApiException.class, e -> assertThat(e.status()).isEqualTo(403));
    }

    private static void assertInvalid(ThrowingCallable call, String field) {
        assertThatThrownBy(call).isInstanceOfSatisfying(CapstanApiException.class, e -> {
            assertThat(e.status()).isEqualTo(400);
            assertThat(e.problem().field()).contains(field);
        });
    }
}
