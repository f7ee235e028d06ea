package io.capstan.server;

import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.Json;
import io.capstan.api.Role;
import io.capstan.api.Scope;
import io.capstan.api.Visibility;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.environment.CreateEnvironmentRequest;
import io.capstan.api.notebook.PushNotebookRequest;
import io.capstan.api.privacy.DataCategory;
import io.capstan.api.privacy.PrivacyReport;
import io.capstan.client.CapstanApiException;
import io.capstan.client.CapstanClient;
import io.capstan.server.privacy.PrivacyService;
import io.capstan.server.privacy.StoredData;
import io.capstan.server.telemetry.ObservabilitySettings;
import io.capstan.server.testing.Clusters;
import io.capstan.server.testing.DatabaseDump;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDatabase;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The privacy report and the operator's document are generated from the stores' declarations; these tests keep
 * the declarations honest: every table is declared (or named here as holding nothing about people), the document
 * in the repository is what the server says, the counts are the caller's own, and deleting an account leaves no
 * row that names it.
 */
class TestPrivacy {
    /** Tables that hold nothing about people, each with the reason. Anything else must be declared by a store. */
    private static final Map<String, String> NOT_ABOUT_PEOPLE = Map.of(
            "flyway_schema_history", "which migrations ran",
            "server_state", "the installation's identity and the database file key, wrapped by the master key",
            "data_key_rotations", "progress of data key rotations: counts and positions, no values");

    private static final Path PRIVACY_DOCUMENT = Path.of("..", "docs", "privacy.md");

    private static final String NOTEBOOK = "{\"nbformat\": 4, \"nbformat_minor\": 5, \"metadata\": {}, \"cells\": []}";

    @Test
    void theDocumentInTheRepositoryIsWhatTheServerSays() throws IOException {
        String generated = new PrivacyService(
                        Jdbi.create("jdbc:h2:mem:unused"),
                        CapstanServer.storedData(ObservabilitySettings.defaults()),
                        "unused")
                .markdown();
        if ("1".equals(System.getenv("CAPSTAN_UPDATE_DOCS"))) {
            Files.writeString(PRIVACY_DOCUMENT, generated, StandardCharsets.UTF_8);
        }
        assertThat(Files.readString(PRIVACY_DOCUMENT, StandardCharsets.UTF_8))
                .as("docs/privacy.md is generated; run this test with CAPSTAN_UPDATE_DOCS=1 to write it again")
                .isEqualTo(generated);
        assertThat(generated).contains("| Logs and events |").contains("removed automatically after 30 days");
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void everyTableIsDeclaredByAStoreOrHoldsNothingAboutPeople(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            Set<String> tables =
                    DatabaseDump.tables(server.server().database(), Set.of()).keySet();
            Set<String> declared = new HashSet<>(NOT_ABOUT_PEOPLE.keySet());
            CapstanServer.storedData(ObservabilitySettings.defaults())
                    .forEach(store -> declared.addAll(store.tables()));

            assertThat(declared).as("every declared table exists").isSubsetOf(tables);
            assertThat(tables).as("every table is declared").isSubsetOf(declared);
            Set<String> encryptedDeclared = CapstanServer.storedData(ObservabilitySettings.defaults()).stream()
                    .flatMap(store -> store.encrypted().stream())
                    .map(column -> column.table() + "." + column.ciphertextColumn())
                    .collect(Collectors.toSet());
            assertThat(CapstanServer.encryptedColumns())
                    .extracting(column -> column.table() + "." + column.ciphertextColumn())
                    .as("every encrypted column is reported in its category")
                    .allMatch(encryptedDeclared::contains);
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void theReportCountsTheCallersOwnRecords(TestingDatabase.Kind kind) throws Exception {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            Fixtures.account(admin, "team");
            Fixtures.account(admin, "other");
            CapstanClient ada = Fixtures.userClient(admin, "ada", Scope.CLUSTERS);
            CapstanClient eve = Fixtures.userClient(admin, "eve", Scope.CLUSTERS);
            admin.setMember("team", "ada", Role.MEMBER);
            admin.setMember("other", "eve", Role.MEMBER);
            ada.pushNotebook(
                    "team",
                    "analysis",
                    new PushNotebookRequest(
                            Optional.of(Visibility.PRIVATE), Json.lenient().readTree(NOTEBOOK)));
            ada.pushNotebook(
                    "team",
                    "shared",
                    new PushNotebookRequest(Optional.empty(), Json.lenient().readTree(NOTEBOOK)));
            ada.createEnvironment(new CreateEnvironmentRequest(
                    "py",
                    Optional.of("team"),
                    Optional.of("/usr/bin/python3"),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty()));

            PrivacyReport adas = ada.privacy();
            PrivacyReport eves = eve.privacy();

            assertThat(adas.user()).isEqualTo("ada");
            assertThat(adas.categories())
                    .extracting(DataCategory::name)
                    .containsExactlyElementsOf(CapstanServer.storedData(ObservabilitySettings.defaults()).stream()
                            .map(StoredData::name)
                            .toList());
            Map<String, DataCategory> ofAda = byName(adas);
            Map<String, DataCategory> ofEve = byName(eves);
            assertThat(ofAda.get("Notebooks").yourRecords()).isEqualTo(2);
            assertThat(ofEve.get("Notebooks").yourRecords())
                    .as("public notebooks are not about eve")
                    .isZero();
            assertThat(ofAda.get("Software environment metadata").yourRecords()).isEqualTo(1);
            assertThat(ofEve.get("Software environment metadata").yourRecords()).isZero();
            assertThat(ofAda.get("Logs and events").yourRecords())
                    .as("creating a notebook and an environment are events of ada's account")
                    .isGreaterThanOrEqualTo(3);
            assertThat(ofEve.get("Logs and events").yourRecords()).isZero();
            assertThat(ofAda.get("Logs and events").retention()).isEqualTo("removed automatically after 30 days");
            assertThat(ofAda.get("Notebooks").encryption()).contains("AES-256-GCM");
            assertThat(ofAda.get("Notebooks").encryption())
                    .contains(
                            kind == TestingDatabase.Kind.H2
                                    ? "embedded database file is encrypted as a whole"
                                    : "PostgreSQL keeps the other columns");
            assertThat(adas.deletion()).contains("capstan account delete");
        }
    }

    private static Map<String, DataCategory> byName(PrivacyReport report) {
        return report.categories().stream().collect(Collectors.toMap(DataCategory::name, Function.identity()));
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void deletingAnAccountLeavesNoRowThatNamesItOrItsClusters(TestingDatabase.Kind kind) throws Exception {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            Fixtures.account(admin, "doomed");
            Fixtures.account(admin, "kept");
            CapstanClient ada = Fixtures.userClient(admin, "ada", Scope.CLUSTERS);
            admin.setMember("doomed", "ada", Role.ADMIN);
            admin.setMember("kept", "ada", Role.MEMBER);
            String doomed = admin.showAccount("doomed").id();
            ada.pushNotebook(
                    "doomed",
                    "nb",
                    new PushNotebookRequest(Optional.empty(), Json.lenient().readTree(NOTEBOOK)));
            ada.createEnvironment(new CreateEnvironmentRequest(
                    "py",
                    Optional.of("doomed"),
                    Optional.of("/usr/bin/python3"),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty(),
                    Optional.empty()));
            ClusterView cluster = ada.createCluster(Clusters.request("doomed-cluster", "doomed", 1), Optional.empty());
            Clusters.awaitState(ada, cluster.id(), "running");
            ClusterView keptCluster = ada.createCluster(Clusters.request("kept-cluster", "kept", 0), Optional.empty());

            CapstanApiException refused = Fixtures.refusal(() -> admin.deleteAccount("doomed"));
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.problem().code()).isEqualTo("invalid_state");
            assertThat(admin.showAccount("doomed").id()).isEqualTo(doomed);

            ada.stopCluster(cluster.id());
            Clusters.awaitState(ada, cluster.id(), "stopped");
            admin.deleteAccount("doomed");

            Map<String, List<String>> dump = DatabaseDump.tables(server.server().database(), Set.of());
            for (String identifier : List.of(doomed, cluster.id())) {
                assertThat(dump.entrySet().stream()
                                .flatMap(table -> table.getValue().stream().map(row -> table.getKey() + ": " + row))
                                .filter(row -> row.contains(identifier)))
                        .as("rows naming " + identifier)
                        .isEmpty();
            }
            assertThat(dump.get("clusters")).anyMatch(row -> row.contains(keptCluster.id()));
            assertThat(filesNaming(server.server().config().dataDirectory(), doomed, cluster.id()))
                    .as("files of the deleted account or its cluster")
                    .isEmpty();
            assertThat(ada.privacy().categories())
                    .filteredOn(category -> category.name().equals("Notebooks"))
                    .extracting(DataCategory::yourRecords)
                    .containsExactly(0L);
        }
    }

    private static List<Path> filesNaming(Path root, String... identifiers) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(path -> Stream.of(identifiers)
                            .anyMatch(id -> path.getFileName().toString().contains(id)))
                    .toList();
        }
    }
}
