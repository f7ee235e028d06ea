package io.capstan.client;

import static java.util.Objects.requireNonNull;

import io.capstan.api.ErrorCode;
import io.capstan.api.Health;
import io.capstan.api.Items;
import io.capstan.api.Json;
import io.capstan.api.Problem;
import io.capstan.api.Role;
import io.capstan.api.account.AccountView;
import io.capstan.api.account.CreateAccountRequest;
import io.capstan.api.account.SetMemberRequest;
import io.capstan.api.account.SetQuotaRequest;
import io.capstan.api.account.UsageView;
import io.capstan.api.admin.DataKeyRotationView;
import io.capstan.api.admin.KeyringStatus;
import io.capstan.api.admin.MasterKeyRotationResult;
import io.capstan.api.admin.StartDataKeyRotation;
import io.capstan.api.aws.AwsCredentialsStatus;
import io.capstan.api.aws.AwsRoleView;
import io.capstan.api.aws.AwsSessionCredentials;
import io.capstan.api.aws.SetAwsRoleRequest;
import io.capstan.api.cluster.ClientCertificateRequest;
import io.capstan.api.cluster.ClientCertificateView;
import io.capstan.api.cluster.ClusterEventView;
import io.capstan.api.cluster.ClusterLogs;
import io.capstan.api.cluster.ClusterView;
import io.capstan.api.cluster.CreateClusterRequest;
import io.capstan.api.cluster.ScaleClusterRequest;
import io.capstan.api.configuration.ConfigurationView;
import io.capstan.api.configuration.CreateConfigurationRequest;
import io.capstan.api.configuration.UpdateConfigurationRequest;
import io.capstan.api.environment.CreateEnvironmentRequest;
import io.capstan.api.environment.EnvironmentView;
import io.capstan.api.environment.UpdateEnvironmentRequest;
import io.capstan.api.notebook.NotebookView;
import io.capstan.api.notebook.PushNotebookRequest;
import io.capstan.api.notebook.UpdateNotebookRequest;
import io.capstan.api.privacy.PrivacyReport;
import io.capstan.api.telemetry.AccountUsage;
import io.capstan.api.telemetry.ClusterMetrics;
import io.capstan.api.token.CreateTokenRequest;
import io.capstan.api.token.CreatedToken;
import io.capstan.api.token.TokenView;
import io.capstan.api.user.CreateUserRequest;
import io.capstan.api.user.Me;
import io.capstan.api.user.UserView;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;

/**
 * Capstan's REST API for Java: the CLI is built on it and the tests drive the server through it, so both use the
 * API exactly as any other client would. Thread-safe. Failures are {@link CapstanApiException} (the server said
 * no, with a problem) or {@link CapstanConnectionException} (no answer).
 */
public final class CapstanClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofMinutes(2);

    private final URI server;
    private final Optional<String> token;
    private final HttpClient http;

    private CapstanClient(URI server, Optional<String> token, HttpClient http) {
        this.server = requireNonNull(server, "server is null");
        this.token = requireNonNull(token, "token is null");
        this.http = requireNonNull(http, "http is null");
    }

    public static CapstanClient create(URI server, Optional<String> token) {
        return create(server, token, Optional.empty());
    }

    /** A client that trusts {@code sslContext} for an {@code https} server with a private certificate authority. */
    public static CapstanClient create(URI server, Optional<String> token, Optional<SSLContext> sslContext) {
        HttpClient.Builder builder =
                HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER);
        sslContext.ifPresent(builder::sslContext);
        String base = server.toString().replaceAll("/+$", "");
        return new CapstanClient(URI.create(base), token, builder.build());
    }

    /** The same server and transport, with another token. */
    public CapstanClient withToken(String otherToken) {
        return new CapstanClient(server, Optional.of(otherToken), http);
    }

    public URI server() {
        return server;
    }

    public Health health() {
        return call("GET", "/healthz", Optional.empty(), new TypeReference<Health>() {});
    }

    public Me me() {
        return call("GET", "/api/v1/me", Optional.empty(), new TypeReference<Me>() {});
    }

    // Tokens

    public CreatedToken createToken(CreateTokenRequest request) {
        return call("POST", "/api/v1/tokens", Optional.of(request), new TypeReference<CreatedToken>() {});
    }

    public CreatedToken createTokenFor(String username, CreateTokenRequest request) {
        return call(
                "POST",
                "/api/v1/users/" + segment(username) + "/tokens",
                Optional.of(request),
                new TypeReference<CreatedToken>() {});
    }

    public List<TokenView> listTokens(Optional<String> username) {
        String query = username.map(name -> "?user=" + segment(name)).orElse("");
        return call("GET", "/api/v1/tokens" + query, Optional.empty(), new TypeReference<Items<TokenView>>() {})
                .items();
    }

    public TokenView revokeToken(String id) {
        return call("DELETE", "/api/v1/tokens/" + segment(id), Optional.empty(), new TypeReference<TokenView>() {});
    }

    // Users

    public UserView createUser(CreateUserRequest request) {
        return call("POST", "/api/v1/users", Optional.of(request), new TypeReference<UserView>() {});
    }

    public List<UserView> listUsers() {
        return call("GET", "/api/v1/users", Optional.empty(), new TypeReference<Items<UserView>>() {})
                .items();
    }

    // Accounts

    public AccountView createAccount(CreateAccountRequest request) {
        return call("POST", "/api/v1/accounts", Optional.of(request), new TypeReference<AccountView>() {});
    }

    public List<AccountView> listAccounts() {
        return call("GET", "/api/v1/accounts", Optional.empty(), new TypeReference<Items<AccountView>>() {})
                .items();
    }

    public AccountView showAccount(String name) {
        return call("GET", "/api/v1/accounts/" + segment(name), Optional.empty(), new TypeReference<AccountView>() {});
    }

    /** Deletes an account with everything it owns, for good (server administrators). */
    public void deleteAccount(String name) {
        call("DELETE", "/api/v1/accounts/" + segment(name), Optional.empty(), new TypeReference<Void>() {});
    }

    public AccountView setMember(String account, String username, Role role) {
        return call(
                "PUT",
                "/api/v1/accounts/" + segment(account) + "/members/" + segment(username),
                Optional.of(new SetMemberRequest(role)),
                new TypeReference<AccountView>() {});
    }

    public AccountView removeMember(String account, String username) {
        return call(
                "DELETE",
                "/api/v1/accounts/" + segment(account) + "/members/" + segment(username),
                Optional.empty(),
                new TypeReference<AccountView>() {});
    }

    // Clusters

    public ClusterView createCluster(CreateClusterRequest request, Optional<String> idempotencyKey) {
        byte[] body = Json.lenient().writeValueAsBytes(request);
        HttpAnswer answer = send(
                "POST",
                "/api/v1/clusters",
                Optional.of("application/json"),
                body,
                token,
                idempotencyKey.map(key -> Map.of("Idempotency-Key", key)).orElse(Map.of()));
        return read(answer, new TypeReference<ClusterView>() {});
    }

    public List<ClusterView> listClusters(Optional<String> account) {
        String query = account.map(name -> "?account=" + segment(name)).orElse("");
        return call("GET", "/api/v1/clusters" + query, Optional.empty(), new TypeReference<Items<ClusterView>>() {})
                .items();
    }

    public ClusterView showCluster(String id) {
        return call("GET", "/api/v1/clusters/" + segment(id), Optional.empty(), new TypeReference<ClusterView>() {});
    }

    public ClusterView scaleCluster(String id, int workers) {
        return call(
                "POST",
                "/api/v1/clusters/" + segment(id) + "/scale",
                Optional.of(new ScaleClusterRequest(workers)),
                new TypeReference<ClusterView>() {});
    }

    public ClusterView stopCluster(String id) {
        return call(
                "POST",
                "/api/v1/clusters/" + segment(id) + "/stop",
                Optional.empty(),
                new TypeReference<ClusterView>() {});
    }

    public void deleteCluster(String id) {
        call("DELETE", "/api/v1/clusters/" + segment(id), Optional.empty(), new TypeReference<Void>() {});
    }

    public ClientCertificateView clientCertificate(String id, ClientCertificateRequest request) {
        return call(
                "POST",
                "/api/v1/clusters/" + segment(id) + "/client-certificates",
                Optional.of(request),
                new TypeReference<ClientCertificateView>() {});
    }

    public List<ClusterEventView> clusterEvents(String id, long afterId) {
        return call(
                        "GET",
                        "/api/v1/clusters/" + segment(id) + "/events?after=" + afterId,
                        Optional.empty(),
                        new TypeReference<Items<ClusterEventView>>() {})
                .items();
    }

    /**
     * Lines the cluster's processes wrote after the line {@code afterId} (0: from the start), from one node or all,
     * no older than {@code since}.
     */
    public ClusterLogs clusterLogs(String id, Optional<String> node, Optional<String> since, long afterId, int limit) {
        StringBuilder query =
                new StringBuilder("?after=").append(afterId).append("&limit=").append(limit);
        node.ifPresent(value -> query.append("&node=").append(segment(value)));
        since.ifPresent(value -> query.append("&since=").append(segment(value)));
        return call(
                "GET",
                "/api/v1/clusters/" + segment(id) + "/logs" + query,
                Optional.empty(),
                new TypeReference<ClusterLogs>() {});
    }

    // Telemetry and data handling

    /** A cluster's telemetry summary and its history over the last {@code since} (such as {@code 1h}). */
    public ClusterMetrics clusterMetrics(String id, String since) {
        return call(
                "GET",
                "/api/v1/clusters/" + segment(id) + "/metrics?since=" + segment(since),
                Optional.empty(),
                new TypeReference<ClusterMetrics>() {});
    }

    /** What the caller's accounts (or the one named) computed since {@code since} (such as {@code 30d}). */
    public List<AccountUsage> computeUsage(Optional<String> account, String since) {
        String query = "?since=" + segment(since)
                + account.map(name -> "&account=" + segment(name)).orElse("");
        return call("GET", "/api/v1/usage" + query, Optional.empty(), new TypeReference<Items<AccountUsage>>() {})
                .items();
    }

    /** What the server stores about the caller. */
    public PrivacyReport privacy() {
        return call("GET", "/api/v1/privacy", Optional.empty(), new TypeReference<PrivacyReport>() {});
    }

    // AWS credentials

    /** Sends fresher temporary AWS credentials to a cluster created with forwarded ones; says when they expire. */
    public AwsCredentialsStatus forwardAwsCredentials(String clusterId, AwsSessionCredentials credentials) {
        return call(
                "POST",
                "/api/v1/clusters/" + segment(clusterId) + "/aws-credentials",
                Optional.of(credentials),
                new TypeReference<AwsCredentialsStatus>() {});
    }

    public AwsRoleView setAwsRole(String account, SetAwsRoleRequest request) {
        return call(
                "PUT",
                "/api/v1/accounts/" + segment(account) + "/aws-role",
                Optional.of(request),
                new TypeReference<AwsRoleView>() {});
    }

    public AwsRoleView awsRole(String account) {
        return call(
                "GET",
                "/api/v1/accounts/" + segment(account) + "/aws-role",
                Optional.empty(),
                new TypeReference<AwsRoleView>() {});
    }

    public void clearAwsRole(String account) {
        call(
                "DELETE",
                "/api/v1/accounts/" + segment(account) + "/aws-role",
                Optional.empty(),
                new TypeReference<Void>() {});
    }

    // Quotas

    public AccountView setQuota(String account, SetQuotaRequest request) {
        return call(
                "PUT",
                "/api/v1/accounts/" + segment(account) + "/quota",
                Optional.of(request),
                new TypeReference<AccountView>() {});
    }

    public UsageView usage(String account) {
        return call(
                "GET",
                "/api/v1/accounts/" + segment(account) + "/usage",
                Optional.empty(),
                new TypeReference<UsageView>() {});
    }

    // Software environments

    public EnvironmentView createEnvironment(CreateEnvironmentRequest request) {
        return call("POST", "/api/v1/environments", Optional.of(request), new TypeReference<EnvironmentView>() {});
    }

    public List<EnvironmentView> listEnvironments() {
        return call("GET", "/api/v1/environments", Optional.empty(), new TypeReference<Items<EnvironmentView>>() {})
                .items();
    }

    public EnvironmentView showEnvironment(String account, String name) {
        return call(
                "GET",
                shared("environments", account, name),
                Optional.empty(),
                new TypeReference<EnvironmentView>() {});
    }

    public EnvironmentView updateEnvironment(String account, String name, UpdateEnvironmentRequest request) {
        return call(
                "PATCH",
                shared("environments", account, name),
                Optional.of(request),
                new TypeReference<EnvironmentView>() {});
    }

    public void deleteEnvironment(String account, String name) {
        call("DELETE", shared("environments", account, name), Optional.empty(), new TypeReference<Void>() {});
    }

    // Cluster configurations

    public ConfigurationView createConfiguration(CreateConfigurationRequest request) {
        return call("POST", "/api/v1/configurations", Optional.of(request), new TypeReference<ConfigurationView>() {});
    }

    public List<ConfigurationView> listConfigurations() {
        return call("GET", "/api/v1/configurations", Optional.empty(), new TypeReference<Items<ConfigurationView>>() {})
                .items();
    }

    public ConfigurationView showConfiguration(String account, String name) {
        return call(
                "GET",
                shared("configurations", account, name),
                Optional.empty(),
                new TypeReference<ConfigurationView>() {});
    }

    public ConfigurationView updateConfiguration(String account, String name, UpdateConfigurationRequest request) {
        return call(
                "PATCH",
                shared("configurations", account, name),
                Optional.of(request),
                new TypeReference<ConfigurationView>() {});
    }

    public void deleteConfiguration(String account, String name) {
        call("DELETE", shared("configurations", account, name), Optional.empty(), new TypeReference<Void>() {});
    }

    // Notebooks

    public NotebookView pushNotebook(String account, String name, PushNotebookRequest request) {
        return call(
                "PUT", shared("notebooks", account, name), Optional.of(request), new TypeReference<NotebookView>() {});
    }

    public List<NotebookView> listNotebooks() {
        return call("GET", "/api/v1/notebooks", Optional.empty(), new TypeReference<Items<NotebookView>>() {})
                .items();
    }

    public NotebookView showNotebook(String account, String name) {
        return call("GET", shared("notebooks", account, name), Optional.empty(), new TypeReference<NotebookView>() {});
    }

    /** The notebook's content, as it was pushed. */
    public byte[] pullNotebook(String account, String name) {
        HttpAnswer answer = send("GET", shared("notebooks", account, name) + "/content", Optional.empty(), new byte[0]);
        if (answer.status() >= 400) {
            throw new CapstanApiException(problemOf(answer));
        }
        return answer.body();
    }

    public NotebookView updateNotebook(String account, String name, UpdateNotebookRequest request) {
        return call(
                "PATCH",
                shared("notebooks", account, name),
                Optional.of(request),
                new TypeReference<NotebookView>() {});
    }

    public void deleteNotebook(String account, String name) {
        call("DELETE", shared("notebooks", account, name), Optional.empty(), new TypeReference<Void>() {});
    }

    private static String shared(String kind, String account, String name) {
        return "/api/v1/" + kind + "/" + segment(account) + "/" + segment(name);
    }

    // Keyring administration

    public KeyringStatus keyringStatus() {
        return call("GET", "/api/v1/admin/keyring", Optional.empty(), new TypeReference<KeyringStatus>() {});
    }

    public MasterKeyRotationResult rotateMasterKey() {
        return call(
                "POST",
                "/api/v1/admin/master-key/rotate",
                Optional.empty(),
                new TypeReference<MasterKeyRotationResult>() {});
    }

    public DataKeyRotationView startDataKeyRotation(Optional<String> account) {
        return call(
                "POST",
                "/api/v1/admin/data-key-rotations",
                Optional.of(new StartDataKeyRotation(account)),
                new TypeReference<DataKeyRotationView>() {});
    }

    public DataKeyRotationView dataKeyRotation(String id) {
        return call(
                "GET",
                "/api/v1/admin/data-key-rotations/" + segment(id),
                Optional.empty(),
                new TypeReference<DataKeyRotationView>() {});
    }

    // Plumbing

    /** Sends a request as given and returns the answer whatever its status: for tests and streaming. */
    public HttpAnswer send(String method, String pathAndQuery, Optional<String> contentType, byte[] body) {
        return send(method, pathAndQuery, contentType, body, token, Map.of());
    }

    private HttpAnswer send(
            String method,
            String pathAndQuery,
            Optional<String> contentType,
            byte[] body,
            Optional<String> bearer,
            Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server + pathAndQuery))
                .timeout(REQUEST_TIMEOUT)
                .header("Accept", "application/json, application/problem+json")
                .method(
                        method,
                        body.length == 0
                                ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
        contentType.ifPresent(type -> request.header("Content-Type", type));
        bearer.ifPresent(value -> request.header("Authorization", "Bearer " + value));
        headers.forEach(request::header);
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new HttpAnswer(response.statusCode(), response.headers(), response.body());
        } catch (ConnectException e) {
            throw new CapstanConnectionException(
                    "cannot connect to the Capstan server at " + server + "; is it running? (capstan server)", e);
        } catch (IOException e) {
            throw new CapstanConnectionException(
                    "the connection to " + server + " failed: " + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CapstanConnectionException("interrupted while waiting for " + server, e);
        }
    }

    public <T> T call(String method, String path, Optional<?> requestBody, TypeReference<T> responseType) {
        byte[] body = requestBody
                .map(value -> Json.lenient().writeValueAsBytes(value))
                .orElse(new byte[0]);
        HttpAnswer answer =
                send(method, path, requestBody.isPresent() ? Optional.of("application/json") : Optional.empty(), body);
        return read(answer, responseType);
    }

    private <T> T read(HttpAnswer answer, TypeReference<T> responseType) {
        if (answer.status() >= 400) {
            throw new CapstanApiException(problemOf(answer));
        }
        if (answer.status() == 204) {
            return null;
        }
        try {
            return Json.lenient().readValue(answer.body(), responseType);
        } catch (JacksonException e) {
            throw new CapstanConnectionException(
                    "the server at " + server + " sent an answer that is not Capstan's" + " (HTTP " + answer.status()
                            + ")",
                    e);
        }
    }

    /** The problem in an error answer, or one made up from its status if the body is not a problem document. */
    public static Problem problemOf(HttpAnswer answer) {
        try {
            Problem problem = Json.lenient().readValue(answer.body(), Problem.class);
            if (problem != null && problem.code() != null) {
                return problem;
            }
        } catch (JacksonException | NullPointerException e) {
            // Not a problem document (a proxy's error page, say): describe it by its status below.
        }
        ErrorCode code = answer.status() == 404 ? ErrorCode.NOT_FOUND : ErrorCode.INTERNAL_ERROR;
        return new Problem(
                "about:blank",
                "HTTP " + answer.status(),
                answer.status(),
                code.code(),
                "the server answered HTTP " + answer.status(),
                Optional.empty(),
                Map.of());
    }

    static String segment(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
