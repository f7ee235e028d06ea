package io.capstan.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.ScopeType;

@Command(
        name = "capstan",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = VersionProvider.class,
        description = {
            "Dask clusters on demand, over mutual TLS.",
            "",
            "One program is both the control plane (capstan server) and its command line."
        },
        subcommands = {
            ServerCommand.class,
            LoginCommand.class,
            LogoutCommand.class,
            WhoamiCommand.class,
            TokenCommand.class,
            AccountCommand.class,
            UserCommand.class,
            ClusterCommand.class,
            EnvironmentCommand.class,
            ConfigurationCommand.class,
            NotebookCommand.class,
            UsageCommand.class,
            PrivacyCommand.class,
            AdminCommand.class
        })
public final class CapstanCommand {}
