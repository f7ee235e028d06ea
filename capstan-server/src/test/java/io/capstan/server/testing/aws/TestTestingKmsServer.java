package io.capstan.server.testing.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.kms.KmsClient;
import software.amazon.awssdk.services.kms.model.DataKeySpec;
import software.amazon.awssdk.services.kms.model.GenerateDataKeyResponse;
import software.amazon.awssdk.services.kms.model.InvalidCiphertextException;
import software.amazon.awssdk.services.kms.model.NotFoundException;

/** What {@link TestingKmsServer} promises beyond what {@code TestKmsAead} already relies on. */
class TestTestingKmsServer {
    private TestingKmsServer kms;
    private KmsClient client;

    @BeforeEach
    void start() {
        kms = TestingKmsServer.start();
        client = KmsClient.builder()
                .region(Region.of(TestingKmsServer.REGION))
                .endpointOverride(kms.endpoint())
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")))
                .httpClientBuilder(UrlConnectionHttpClient.builder())
                .overrideConfiguration(configuration -> configuration.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterEach
    void stop() {
        client.close();
        kms.close();
    }

    @Test
    void generatedDataKeysComeWithTheirWrappedForm() {
        String keyArn = kms.createKey("data-key-test");
        Map<String, String> context = Map.of("account", "42", "purpose", "logs");

        GenerateDataKeyResponse dataKey = client.generateDataKey(request ->
                request.keyId("data-key-test").keySpec(DataKeySpec.AES_256).encryptionContext(context));

        assertThat(dataKey.keyId()).isEqualTo(keyArn);
        assertThat(dataKey.plaintext().asByteArray()).hasSize(32);
        SdkBytes unwrapped = client.decrypt(request -> request.ciphertextBlob(dataKey.ciphertextBlob())
                        .encryptionContext(Map.of("purpose", "logs", "account", "42")))
                .plaintext();
        assertThat(unwrapped.asByteArray()).isEqualTo(dataKey.plaintext().asByteArray());
        assertThatThrownBy(() -> client.decrypt(request ->
                        request.ciphertextBlob(dataKey.ciphertextBlob()).encryptionContext(Map.of("account", "42"))))
                .isInstanceOf(InvalidCiphertextException.class);
        assertThat(client.generateDataKey(request -> request.keyId(keyArn).numberOfBytes(64))
                        .plaintext()
                        .asByteArray())
                .hasSize(64);
        assertThat(kms.calls("GenerateDataKey")).isEqualTo(2);
        assertThat(kms.calls()).isEqualTo(4);
    }

    @Test
    void unknownKeysAndForeignArnsAreNotFound() {
        kms.createKey("known");

        for (String keyId : new String[] {
            "unknown",
            "alias/unknown",
            "arn:aws:kms:eu-west-1:" + TestingKmsServer.ACCOUNT_ID + ":key/known",
            "arn:aws:kms:us-east-1:444455556666:key/known"
        }) {
            assertThatThrownBy(() -> client.encrypt(
                            request -> request.keyId(keyId).plaintext(SdkBytes.fromUtf8String("secret"))))
                    .as(keyId)
                    .isInstanceOf(NotFoundException.class);
        }
    }

    @Test
    void unsignedRequestsAreRefused() throws IOException, InterruptedException {
        kms.createKey("known");

        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(kms.endpoint())
                                .header("Content-Type", "application/x-amz-json-1.1")
                                .header("X-Amz-Target", "TrentService.Encrypt")
                                .POST(BodyPublishers.ofString("{\"KeyId\":\"known\",\"Plaintext\":\"c2VjcmV0\"}"))
                                .build(),
                        BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(response.body()).contains("\"__type\":\"MissingAuthenticationTokenException\"");
        assertThat(kms.calls()).isZero();
    }
}
