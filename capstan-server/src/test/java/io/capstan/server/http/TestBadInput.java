package io.capstan.server.http;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.capstan.api.Problem;
import io.capstan.client.CapstanClient;
import io.capstan.client.HttpAnswer;
import io.capstan.server.testing.DatabaseDump;
import io.capstan.server.testing.Fixtures;
import io.capstan.server.testing.TestingCapstanServer;
import io.capstan.server.testing.TestingDatabase;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** A table of malformed and hostile requests: each gets its 4xx and code, and the database does not change. */
class TestBadInput {
    private static final Optional<String> JSON = Optional.of("application/json");

    @SuppressWarnings("ArrayRecordComponent") // raw bytes, so that invalid UTF-8 can be sent; never compared
    record Case(
            String method,
            String path,
            Optional<String> contentType,
            byte[] body,
            int status,
            String code,
            Optional<String> field) {
        @Override
        public String toString() {
            String text = new String(body, UTF_8);
            return method + " " + path + " " + contentType.orElse("-") + " "
                    + (text.length() > 60 ? text.substring(0, 60) + "…" : text);
        }
    }

    static Case json(String method, String path, String body, int status, String code) {
        return new Case(method, path, JSON, body.getBytes(UTF_8), status, code, Optional.empty());
    }

    static Case field(String method, String path, String body, String code, String field) {
        return new Case(method, path, JSON, body.getBytes(UTF_8), 400, code, Optional.of(field));
    }

    static List<Case> cases() {
        List<Case> cases = new ArrayList<>();
        String accounts = "/api/v1/accounts";
        cases.add(new Case(
                "POST",
                accounts,
                Optional.empty(),
                "{\"name\":\"a\"}".getBytes(UTF_8),
                415,
                "unsupported_media_type",
                Optional.empty()));
        cases.add(new Case(
                "POST",
                accounts,
                Optional.of("text/plain"),
                "{\"name\":\"a\"}".getBytes(UTF_8),
                415,
                "unsupported_media_type",
                Optional.empty()));
        cases.add(json("POST", accounts, "", 400, "malformed_json"));
        cases.add(json("POST", accounts, "{", 400, "malformed_json"));
        cases.add(json("POST", accounts, "[]", 400, "malformed_json"));
        cases.add(json("POST", accounts, "null", 400, "malformed_json"));
        cases.add(json("POST", accounts, "\"team\"", 400, "malformed_json"));
        cases.add(json("POST", accounts, "{\"name\":\"a\"} {\"name\":\"b\"}", 400, "malformed_json"));
        cases.add(json("POST", accounts, "{\"name\":\"a\",\"name\":\"b\"}", 400, "malformed_json"));
        cases.add(json("POST", accounts, "[".repeat(5000) + "]".repeat(5000), 400, "malformed_json"));
        cases.add(new Case(
                "POST",
                accounts,
                JSON,
                new byte[] {'{', '"', 'n', (byte) 0xC3, (byte) 0x28, '"', '}'},
                400,
                "malformed_json",
                Optional.empty()));
        cases.add(field("POST", accounts, "{\"name\":5}", "invalid_field", "name"));
        cases.add(field("POST", accounts, "{\"name\":true}", "invalid_field", "name"));
        cases.add(field("POST", accounts, "{\"name\":{}}", "invalid_field", "name"));
        cases.add(field("POST", accounts, "{\"name\":\"ok\",\"extra\":1}", "unknown_field", "extra"));
        cases.add(field("POST", accounts, "{\"name\":\"ok\",\"id\":\"acc_x\"}", "unknown_field", "id"));
        cases.add(field("POST", accounts, "{}", "missing_field", "name"));
        cases.add(field("POST", accounts, "{\"name\":null}", "missing_field", "name"));
        for (String hostile : List.of(
                "Team",
                "team_a",
                "-team",
                "team-",
                "../../x",
                "$(id)",
                "a b",
                "a;rm -rf /",
                "x".repeat(64),
                "ümlaut",
                "")) {
            cases.add(field("POST", accounts, "{\"name\":\"" + hostile + "\"}", "invalid_field", "name"));
        }
        cases.add(new Case(
                "POST",
                accounts,
                JSON,
                ("{\"name\":\"" + "a".repeat(2 * 1024 * 1024) + "\"}").getBytes(UTF_8),
                413,
                "body_too_large",
                Optional.empty()));

        String users = "/api/v1/users";
        cases.add(field("POST", users, "{\"username\":\"eve\",\"email\":\"not-an-email\"}", "invalid_field", "email"));
        cases.add(field(
                "POST",
                users,
                "{\"username\":\"eve\",\"email\":\"eve@example.com\",\"serverAdmin\":\"yes\"}",
                "invalid_field",
                "serverAdmin"));
        cases.add(field(
                "POST",
                users,
                "{\"username\":\"eve\",\"email\":\"eve@example.com\",\"serverAdmin\":null}",
                "invalid_field",
                "serverAdmin"));
        cases.add(field("POST", users, "{\"email\":\"eve@example.com\"}", "missing_field", "username"));

        String tokens = "/api/v1/tokens";
        cases.add(field("POST", tokens, "{\"name\":\"x\",\"scope\":\"root\"}", "invalid_field", "scope"));
        cases.add(field("POST", tokens, "{\"name\":\"x\",\"scope\":1}", "invalid_field", "scope"));
        cases.add(field("POST", tokens, "{\"name\":\"x\",\"expiresAt\":\"tomorrow\"}", "invalid_field", "expiresAt"));
        cases.add(field(
                "POST",
                tokens,
                "{\"name\":\"x\",\"expiresAt\":\"2001-01-01T00:00:00Z\"}",
                "invalid_field",
                "expiresAt"));
        cases.add(field("POST", tokens, "{\"name\":\"\"}", "invalid_field", "name"));
        cases.add(field("POST", tokens, "{\"name\":\"a\\u0000b\"}", "invalid_field", "name"));
        cases.add(field("POST", tokens, "{\"name\":\"" + "n".repeat(101) + "\"}", "invalid_field", "name"));
        cases.add(field("POST", tokens, "{\"name\":\"x\",\"secret\":\"capstan_x\"}", "unknown_field", "secret"));
        cases.add(json("DELETE", tokens + "/garbage", "", 404, "not_found"));
        cases.add(json("DELETE", tokens + "/tok_aaaaaaaaaaaaaaaaaaaa", "", 404, "not_found"));
        cases.add(field(
                "POST", "/api/v1/users/alice/tokens", "{\"name\":\"x\",\"scope\":\"god\"}", "invalid_field", "scope"));
        cases.add(json("POST", "/api/v1/users/nobody/tokens", "{\"name\":\"x\"}", 404, "not_found"));

        String members = "/api/v1/accounts/team-a/members/alice";
        cases.add(field("PUT", members, "{\"role\":\"owner\"}", "invalid_field", "role"));
        cases.add(field("PUT", members, "{}", "missing_field", "role"));
        cases.add(json("PUT", "/api/v1/accounts/team-a/members/nobody", "{\"role\":\"member\"}", 404, "not_found"));
        cases.add(json("PUT", "/api/v1/accounts/no-such/members/alice", "{\"role\":\"member\"}", 404, "not_found"));
        cases.add(json("DELETE", "/api/v1/accounts/team-a/members/bob", "", 404, "not_found"));
        String awsRole = "/api/v1/accounts/team-a/aws-role";
        cases.add(field("PUT", awsRole, "{}", "missing_field", "roleArn"));
        cases.add(field("PUT", awsRole, "{\"roleArn\":\"arn:aws:s3:::bucket\"}", "invalid_field", "roleArn"));
        cases.add(field(
                "PUT",
                awsRole,
                "{\"roleArn\":\"arn:aws:iam::111122223333:role/r\",\"sessionPolicy\":\"not json\"}",
                "invalid_field",
                "sessionPolicy"));
        cases.add(json("GET", awsRole, "", 404, "not_found"));
        cases.add(json(
                "PUT",
                "/api/v1/accounts/no-such/aws-role",
                "{\"roleArn\":\"arn:aws:iam::111122223333:role/r\"}",
                404,
                "not_found"));
        String clusters = "/api/v1/clusters";
        String later = "\"" + java.time.Instant.now().plus(java.time.Duration.ofHours(1)) + "\"";
        cases.add(field(
                "POST",
                clusters,
                "{\"account\":\"team-a\",\"awsCredentials\":{\"accessKeyId\":\"AKIAIOSFODNN7EXAMPLE\","
                        + "\"secretAccessKey\":\"wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\"}}",
                "aws_long_term_key",
                "awsCredentials.accessKeyId"));
        cases.add(field(
                "POST",
                clusters,
                "{\"account\":\"team-a\",\"awsCredentials\":{\"accessKeyId\":\"ASIAIOSFODNN7EXAMPLE\","
                        + "\"secretAccessKey\":\"wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\",\"expiration\":" + later
                        + "}}",
                "aws_credentials_not_temporary",
                "awsCredentials.sessionToken"));
        cases.add(field(
                "POST",
                clusters,
                "{\"account\":\"team-a\",\"awsCredentials\":{\"accessKeyId\":\"ASIAIOSFODNN7EXAMPLE\","
                        + "\"secretAccessKey\":\"wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\",\"sessionToken\":\"t\"}}",
                "aws_credentials_not_temporary",
                "awsCredentials.expiration"));
        cases.add(field(
                "POST",
                clusters,
                "{\"account\":\"team-a\",\"awsCredentials\":{\"secretAccessKey\":\"x\"}}",
                "missing_field",
                "awsCredentials.accessKeyId"));
        cases.add(field(
                "POST", clusters, "{\"account\":\"team-a\",\"awsCredentials\":5}", "invalid_field", "awsCredentials"));
        cases.add(field("POST", clusters, "{\"account\":\"team-a\",\"awsRole\":\"yes\"}", "invalid_field", "awsRole"));
        cases.add(json(
                "POST",
                clusters + "/clu_aaaaaaaaaaaaaaaaaaaa/aws-credentials",
                "{\"accessKeyId\":\"ASIAIOSFODNN7EXAMPLE\"}",
                404,
                "not_found"));
        cases.add(json("GET", "/api/v1/accounts/..%2F..%2Fetc%2Fpasswd", "", 404, "not_found"));
        cases.add(json("GET", "/api/v1/accounts/%24(id)", "", 404, "not_found"));
        cases.add(json("GET", "/api/v1/nothing", "", 404, "not_found"));
        cases.add(json("PATCH", "/api/v1/me", "{}", 404, "not_found"));
        return cases;
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void everyBadRequestIsA4xxWithItsCodeAndChangesNothing(TestingDatabase.Kind kind) {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            CapstanClient admin = server.adminClient();
            Fixtures.account(admin, "team-a");
            Fixtures.user(admin, "alice");
            Fixtures.user(admin, "bob");
            Map<String, List<String>> before = snapshot(server);

            for (Case bad : cases()) {
                HttpAnswer answer = admin.send(bad.method(), bad.path(), bad.contentType(), bad.body());

                assertThat(answer.status()).as(bad.toString()).isEqualTo(bad.status());
                assertThat(answer.header("Content-Type"))
                        .as(bad.toString())
                        .hasValueSatisfying(type -> assertThat(type).startsWith(Problem.MEDIA_TYPE));
                Problem problem = CapstanClient.problemOf(answer);
                assertThat(problem.code()).as(bad.toString()).isEqualTo(bad.code());
                assertThat(problem.status()).isEqualTo(bad.status());
                bad.field()
                        .ifPresent(field ->
                                assertThat(problem.field()).as(bad.toString()).contains(field));
                assertThat(problem.detail()).as(bad.toString()).isNotBlank().doesNotContain("Exception", "\tat ");
            }

            assertThat(snapshot(server)).isEqualTo(before);
        }
    }

    @ParameterizedTest
    @EnumSource(TestingDatabase.Kind.class)
    void anOversizedChunkedBodyIsRefusedWithoutReadingItAll(TestingDatabase.Kind kind) throws Exception {
        try (TestingCapstanServer server = TestingCapstanServer.start(kind)) {
            // A raw socket, read while it is still being written: the server answers 413 and closes as soon as the
            // body passes its limit, and a client that reads only after sending (as the JDK's HttpClient does) can
            // lose that answer to the connection reset its further writes provoke.
            try (Socket socket =
                    new Socket(InetAddress.getLoopbackAddress(), server.server().port())) {
                socket.setSoTimeout(30_000);
                Thread writer = new Thread(() -> writeChunked(socket, server.adminToken()), "oversized-writer");
                writer.setDaemon(true);
                writer.start();
                String answer = new String(socket.getInputStream().readAllBytes(), UTF_8);

                assertThat(answer).startsWith("HTTP/1.1 413 ").contains("body_too_large");
            }
            assertThat(server.adminClient().listAccounts()).isEmpty();
        }
    }

    /** Sends a chunked 4 MiB body until the server stops listening; a refused write is what the test expects. */
    private static void writeChunked(Socket socket, String token) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(("POST /api/v1/accounts HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + token
                            + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(UTF_8));
            byte[] chunk = "a".repeat(64 * 1024).getBytes(UTF_8);
            writeChunk(out, "{\"name\":\"".getBytes(UTF_8));
            for (int i = 0; i < 64; i++) {
                writeChunk(out, chunk);
            }
            writeChunk(out, "\"}".getBytes(UTF_8));
            out.write("0\r\n\r\n".getBytes(UTF_8));
            out.flush();
        } catch (IOException refused) {
            // the server closed the connection once the body passed its limit
        }
    }

    private static void writeChunk(OutputStream out, byte[] chunk) throws IOException {
        out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(UTF_8));
        out.write(chunk);
        out.write("\r\n".getBytes(UTF_8));
    }

    private static Map<String, List<String>> snapshot(TestingCapstanServer server) {
        return DatabaseDump.tables(server.server().database(), Set.of("api_tokens.last_used_at"));
    }
}
