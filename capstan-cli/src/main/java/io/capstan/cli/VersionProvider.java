package io.capstan.cli;

import io.capstan.server.CapstanServer;
import picocli.CommandLine.IVersionProvider;

public final class VersionProvider implements IVersionProvider {
    @Override
    public String[] getVersion() {
        return new String[] {"capstan " + CapstanServer.version()};
    }
}
