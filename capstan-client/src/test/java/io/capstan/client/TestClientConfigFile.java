package io.capstan.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestClientConfigFile {
    private static final ClientConfig SAVED =
            new ClientConfig(Optional.of("http://127.0.0.1:8900"), Optional.of("alice"), Optional.of("capstan_secret"));

    @TempDir
    Path home;

    @Test
    void theLocationFollowsCapstanConfigThenXdgThenHome() {
        assertThat(ClientConfigFile.location(Map.of("HOME", "/home/ada")))
                .isEqualTo(Path.of("/home/ada/.config/capstan/config.yaml"));
        assertThat(ClientConfigFile.location(Map.of("HOME", "/home/ada", "XDG_CONFIG_HOME", "/xdg")))
                .isEqualTo(Path.of("/xdg/capstan/config.yaml"));
        assertThat(ClientConfigFile.location(
                        Map.of("HOME", "/home/ada", "XDG_CONFIG_HOME", "/xdg", "CAPSTAN_CONFIG", "/etc/c.yaml")))
                .isEqualTo(Path.of("/etc/c.yaml"));
    }

    @Test
    void theFileIs0600InAFolderOf0700() throws IOException {
        ClientConfigFile file = ClientConfigFile.locate(Map.of("HOME", home.toString()));

        file.save(SAVED);

        assertThat(mode(file.path())).isEqualTo("rw-------");
        assertThat(mode(home.resolve(".config/capstan"))).isEqualTo("rwx------");
        assertThat(mode(home.resolve(".config"))).isEqualTo("rwx------");
        assertThat(file.load()).isEqualTo(SAVED);
        try (Stream<Path> files = Files.list(file.folder())) {
            assertThat(files).containsExactly(file.path());
        }
    }

    @Test
    void aFileOthersCanReadIsRefusedWithTheFix() throws IOException {
        ClientConfigFile file = ClientConfigFile.locate(Map.of("HOME", home.toString()));
        file.save(SAVED);
        Files.setPosixFilePermissions(file.path(), PosixFilePermissions.fromString("rw-r--r--"));

        assertThatThrownBy(file::load)
                .isInstanceOf(ClientConfigFile.InsecureConfigFileException.class)
                .hasMessageContaining("chmod 600 " + file.path())
                .hasMessageNotContaining("capstan_secret");

        Files.setPosixFilePermissions(file.path(), PosixFilePermissions.fromString("rw-------"));
        assertThat(file.load().token()).contains("capstan_secret");
    }

    @Test
    void aReadableFileWithoutATokenIsFine() throws IOException {
        ClientConfigFile file = ClientConfigFile.locate(Map.of("HOME", home.toString()));
        file.save(SAVED.withoutToken());
        Files.setPosixFilePermissions(file.path(), PosixFilePermissions.fromString("rw-r--r--"));

        assertThat(file.load()).isEqualTo(SAVED.withoutToken());
    }

    @Test
    void anExistingFolderIsNotChangedButTheFileStillIs0600() throws IOException {
        Path shared = Files.createDirectory(home.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
        ClientConfigFile file = new ClientConfigFile(shared.resolve("capstan.yaml"));

        file.save(SAVED);

        assertThat(mode(shared)).isEqualTo("rwxr-xr-x");
        assertThat(mode(file.path())).isEqualTo("rw-------");
    }

    @Test
    void writesAreAtomicReadersNeverSeeAPartialFile() throws Exception {
        ClientConfigFile file = ClientConfigFile.locate(Map.of("HOME", home.toString()));
        file.save(SAVED);
        String big = "capstan_" + "x".repeat(50_000);
        AtomicBoolean writing = new AtomicBoolean(true);
        AtomicInteger reads = new AtomicInteger();
        Thread reader = new Thread(() -> {
            while (writing.get()) {
                try {
                    String content = Files.readString(file.path(), StandardCharsets.UTF_8);
                    assertThat(content).contains("server:").contains("token:").endsWith("\n");
                    reads.incrementAndGet();
                } catch (NoSuchFileException e) {
                    throw new AssertionError("the file vanished during a write", e);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        });
        List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        reader.setUncaughtExceptionHandler((thread, failure) -> failures.add(failure));
        reader.start();
        for (int i = 0; i < 200; i++) {
            file.save(new ClientConfig(SAVED.server(), SAVED.username(), Optional.of(i % 2 == 0 ? big : "capstan_y")));
        }
        writing.set(false);
        reader.join();

        assertThat(failures).isEmpty();
        assertThat(reads.get()).isPositive();
    }

    @Test
    void theEnvironmentOverridesTheFileAndOptionsOverrideBoth() {
        ClientConfigFile file = ClientConfigFile.locate(Map.of("HOME", home.toString()));
        file.save(SAVED);

        ClientSettings fromFile = ClientSettings.resolve(Map.of(), file, Optional.empty());
        ClientSettings fromEnvironment = ClientSettings.resolve(
                Map.of("CAPSTAN_SERVER", "https://capstan.example", "CAPSTAN_TOKEN", "capstan_env"),
                file,
                Optional.empty());
        ClientSettings fromOption = ClientSettings.resolve(
                Map.of("CAPSTAN_SERVER", "https://capstan.example"), file, Optional.of("http://127.0.0.1:9999"));

        assertThat(fromFile.server()).contains("http://127.0.0.1:8900");
        assertThat(fromFile.token()).contains("capstan_secret");
        assertThat(fromEnvironment.server()).contains("https://capstan.example");
        assertThat(fromEnvironment.token()).contains("capstan_env");
        assertThat(fromOption.server()).contains("http://127.0.0.1:9999");
        assertThat(fromOption.token()).contains("capstan_secret");
        assertThat(fromEnvironment.toString()).doesNotContain("capstan_env");
    }

    @Test
    void aTokenFromTheEnvironmentWorksEvenIfTheFileIsInsecure() throws IOException {
        ClientConfigFile file = ClientConfigFile.locate(Map.of("HOME", home.toString()));
        file.save(SAVED);
        Files.setPosixFilePermissions(file.path(), PosixFilePermissions.fromString("rw-rw-rw-"));

        ClientSettings settings = ClientSettings.resolve(
                Map.of("CAPSTAN_SERVER", "http://h:1", "CAPSTAN_TOKEN", "capstan_env"), file, Optional.empty());

        assertThat(settings.token()).contains("capstan_env");
    }

    @Test
    void garbageInTheFileIsAClearError() throws IOException {
        ClientConfigFile file = ClientConfigFile.locate(Map.of("HOME", home.toString()));
        file.save(SAVED);
        Files.writeString(file.path(), "server: [unclosed");

        assertThatThrownBy(file::load)
                .isInstanceOf(ClientConfigFile.InvalidConfigFileException.class)
                .hasMessageContaining("not valid YAML");
    }

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }
}
