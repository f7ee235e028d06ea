package io.capstan.server.backend.local;

import io.capstan.api.internal.OwnerOnlyFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A cluster's folder: {@code DATA_DIR/clusters/CLUSTER_ID}, mode 0700, named by the generated id and never by the
 * name a user gave. Keys and the HTTP token are files of mode 0600; process output goes to {@code logs/}.
 */
record ClusterFolder(Path directory) {
    static ClusterFolder of(Path clustersDirectory, String clusterId) {
        return new ClusterFolder(clustersDirectory.resolve(clusterId));
    }

    void create(String certificateAuthorityPem, String httpToken) throws IOException {
        OwnerOnlyFiles.createFolders(directory);
        for (Path folder :
                new Path[] {logs(), daskConfigDirectory(), temporaryDirectory(), directory.resolve("work")}) {
            OwnerOnlyFiles.createFolders(folder);
        }
        OwnerOnlyFiles.write(certificateAuthority(), certificateAuthorityPem.getBytes(StandardCharsets.US_ASCII));
        OwnerOnlyFiles.write(httpToken(), httpToken.getBytes(StandardCharsets.US_ASCII));
        try (InputStream preload = ClusterFolder.class.getResourceAsStream("capstan_http_auth.py")) {
            if (preload == null) {
                throw new IOException("capstan_http_auth.py is missing from the build");
            }
            OwnerOnlyFiles.write(preload(), preload.readAllBytes());
        }
    }

    void writeNode(String node, String certificatePem, String privateKeyPem) throws IOException {
        OwnerOnlyFiles.write(certificate(node), certificatePem.getBytes(StandardCharsets.US_ASCII));
        OwnerOnlyFiles.write(privateKey(node), privateKeyPem.getBytes(StandardCharsets.US_ASCII));
        OwnerOnlyFiles.createFolders(workDirectory(node));
    }

    Path certificateAuthority() {
        return directory.resolve("ca.pem");
    }

    Path certificate(String node) {
        return directory.resolve(node + ".pem");
    }

    Path privateKey(String node) {
        return directory.resolve(node + "-key.pem");
    }

    Path httpToken() {
        return directory.resolve("http-token");
    }

    Path preload() {
        return directory.resolve("capstan_http_auth.py");
    }

    Path schedulerFile() {
        return directory.resolve("scheduler.json");
    }

    Path logs() {
        return directory.resolve("logs");
    }

    Path log(String node, String stream) {
        return logs().resolve(node + "." + stream + ".log");
    }

    Path daskConfigDirectory() {
        return directory.resolve("dask-config");
    }

    Path temporaryDirectory() {
        return directory.resolve("tmp");
    }

    Path workDirectory(String node) {
        return directory.resolve("work").resolve(node);
    }

    boolean exists() {
        return Files.isDirectory(directory);
    }
}
