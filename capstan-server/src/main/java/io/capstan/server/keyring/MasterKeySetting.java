package io.capstan.server.keyring;

import static java.util.Objects.requireNonNull;

import io.capstan.server.ServerConfig;
import io.capstan.server.internal.Secret;
import io.capstan.server.keyring.kms.KmsAead;
import io.capstan.server.keyring.kms.KmsClients;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * Which master key source the server is configured with, as given by {@code --master-key}: {@code file} (the
 * default, {@code DATA_DIR/keyring/master-key.json}), {@code file:PATH}, {@code env} ({@code CAPSTAN_MASTER_KEY})
 * or {@code aws-kms:KEY} (a key ARN, id or alias; with {@code --kms-region}).
 */
public sealed interface MasterKeySetting {
    record KeyFile(Optional<Path> path) implements MasterKeySetting {
        public KeyFile {
            requireNonNull(path, "path is null");
        }
    }

    record Environment(Optional<Secret> value) implements MasterKeySetting {
        public Environment {
            requireNonNull(value, "value is null");
        }
    }

    record AwsKms(String keyId, Optional<String> region, Optional<URI> endpoint) implements MasterKeySetting {
        public AwsKms {
            requireNonNull(keyId, "keyId is null");
            requireNonNull(region, "region is null");
            requireNonNull(endpoint, "endpoint is null");
        }
    }

    static MasterKeySetting defaultSetting() {
        return new KeyFile(Optional.empty());
    }

    static MasterKeySetting parse(
            String specification,
            Map<String, String> environment,
            Optional<String> kmsRegion,
            Optional<URI> kmsEndpoint) {
        if (specification.equals("file")) {
            return new KeyFile(Optional.empty());
        }
        if (specification.startsWith("file:") && specification.length() > "file:".length()) {
            return new KeyFile(Optional.of(Path.of(specification.substring("file:".length()))));
        }
        if (specification.equals("env")) {
            return new Environment(Optional.ofNullable(environment.get(EnvironmentMasterKeySource.VARIABLE))
                    .filter(value -> !value.isBlank())
                    .map(Secret::new));
        }
        if (specification.startsWith("aws-kms:") && specification.length() > "aws-kms:".length()) {
            return new AwsKms(specification.substring("aws-kms:".length()), kmsRegion, kmsEndpoint);
        }
        throw new ServerConfig.InvalidConfigException(
                "--master-key must be file, file:PATH, env or aws-kms:KEY_ARN, not '" + specification + "'");
    }

    /** The source this setting names, for a server whose data directory is {@code dataDirectory}. */
    static MasterKeySource source(MasterKeySetting setting, Path dataDirectory) {
        if (setting instanceof KeyFile file) {
            return new KeyFileMasterKeySource(
                    file.path().orElse(dataDirectory.resolve("keyring").resolve("master-key.json")));
        }
        if (setting instanceof Environment environment) {
            return new EnvironmentMasterKeySource(environment
                    .value()
                    .map(secret -> Map.of(EnvironmentMasterKeySource.VARIABLE, secret.reveal()))
                    .orElse(Map.of()));
        }
        AwsKms kms = (AwsKms) setting;
        String region = kms.region()
                .orElseThrow(
                        () -> new ServerConfig.InvalidConfigException("--master-key aws-kms:... needs --kms-region"));
        return new AwsKmsMasterKeySource(
                new KmsAead(KmsClients.create(region, kms.endpoint(), Duration.ofSeconds(10)), kms.keyId()));
    }
}
