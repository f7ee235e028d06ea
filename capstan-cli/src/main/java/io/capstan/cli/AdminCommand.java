package io.capstan.cli;

import io.capstan.api.admin.DataKeyRotationView;
import io.capstan.api.admin.KeyringStatus;
import io.capstan.api.admin.MasterKeyRotationResult;
import io.capstan.client.CapstanClient;
import io.capstan.server.internal.Secret;
import io.capstan.server.keyring.EnvironmentMasterKeySource;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(
        name = "admin",
        description = "Server administration: the keyring and its keys.",
        subcommands = {
            AdminCommand.Keyring.class,
            AdminCommand.RotateMasterKey.class,
            AdminCommand.RotateDataKeys.class,
            AdminCommand.MasterKey.class
        })
public final class AdminCommand {
    @Command(name = "keyring", description = "Show the keyring: master key source and versions, what each wraps.")
    public static final class Keyring extends ClientCommand {
        public Keyring(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            KeyringStatus status = client.keyringStatus();
            output.print(status, () -> {
                output.line("keyring " + status.keyringId() + ", master key from the " + status.masterKeySource());
                output.line("primary version " + status.primaryVersion() + "; " + status.dataKeys() + " data keys");
                status.wrappedByVersion()
                        .forEach((version, count) -> output.line("  " + version + " wraps " + count + " keys"));
            });
        }
    }

    @Command(
            name = "rotate-master-key",
            description = {
                "Rotate the master key while the server keeps serving: a new version becomes primary, every data key"
                        + " is re-wrapped under it, and old versions are retired once nothing depends on them.",
                "With CAPSTAN_MASTER_KEY, add the new version first (admin master-key generate --add-version) and"
                        + " restart; with AWS KMS, keys are re-wrapped under the key's current material."
            })
    public static final class RotateMasterKey extends ClientCommand {
        public RotateMasterKey(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            MasterKeyRotationResult result = client.rotateMasterKey();
            output.print(result, () -> {
                output.line("Re-wrapped " + result.rewrapped() + " keys under " + result.primaryVersion() + ".");
                output.line("Versions before: " + String.join(", ", result.versionsBefore()) + "; now: "
                        + String.join(", ", result.versionsAfter()) + ".");
                result.advice().ifPresent(advice -> output.line("To do: " + advice));
            });
        }
    }

    @Command(
            name = "rotate-data-keys",
            description = {
                "Make new data keys primary and re-encrypt every stored value under them, in the background; old"
                        + " keys are destroyed once nothing uses them. Survives restarts of the server.",
                "Shows progress until the rotation is done (Ctrl-C stops watching, not the rotation)."
            })
    public static final class RotateDataKeys extends ClientCommand {
        @Option(
                names = "--account",
                paramLabel = "NAME",
                description = "Only this account's key (default: all" + " accounts and users).")
        String account;

        @Option(names = "--no-wait", description = "Start the rotation and return.")
        boolean noWait;

        public RotateDataKeys(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            DataKeyRotationView started = client.startDataKeyRotation(Optional.ofNullable(account));
            DataKeyRotationView last = noWait
                    ? started
                    : Progress.watch(
                            terminal,
                            () -> client.dataKeyRotation(started.id()),
                            Duration.ofMillis(500),
                            view -> !view.state().equals("running"),
                            AdminCommand::describe);
            output.print(last, () -> output.line("Rotation " + last.id() + ": " + describe(last)));
            if (last.state().equals("failed")) {
                throw new CliException(
                        "the data key rotation failed: " + last.error().orElse("unknown error"));
            }
        }
    }

    static String describe(DataKeyRotationView rotation) {
        long percent =
                rotation.rowsTotal() == 0 ? 100 : Math.min(100, rotation.rowsScanned() * 100 / rotation.rowsTotal());
        return rotation.state() + ", " + rotation.phase() + ", " + rotation.rowsScanned() + "/" + rotation.rowsTotal()
                + " values checked (" + percent + "%), " + rotation.rowsReencrypted() + " re-encrypted";
    }

    @Command(
            name = "master-key",
            description = "Master keys for CAPSTAN_MASTER_KEY, made on this machine; no server is involved.",
            subcommands = {MasterKeyGenerate.class})
    public static final class MasterKey {}

    @Command(
            name = "generate",
            description = {
                "Print a new master key for CAPSTAN_MASTER_KEY (base64 Tink keyset). Keep it in your secret store.",
                "--add-version prints the key in $CAPSTAN_MASTER_KEY with a new primary version (step 1 of"
                        + " rotation); --retire-old prints it with only its primary version (the last step)."
            })
    public static final class MasterKeyGenerate implements Callable<Integer> {
        private final Terminal terminal;

        @Option(names = "--add-version", description = "Add a version to the key in $CAPSTAN_MASTER_KEY.")
        boolean addVersion;

        @Option(names = "--retire-old", description = "Keep only the primary version of $CAPSTAN_MASTER_KEY.")
        boolean retireOld;

        public MasterKeyGenerate(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public Integer call() throws GeneralSecurityException {
            if (addVersion && retireOld) {
                throw new CliException("give --add-version or --retire-old, not both");
            }
            Secret key;
            if (addVersion || retireOld) {
                Secret current = Optional.ofNullable(terminal.environment().get(EnvironmentMasterKeySource.VARIABLE))
                        .filter(value -> !value.isBlank())
                        .map(Secret::new)
                        .orElseThrow(() -> new CliException("CAPSTAN_MASTER_KEY is not set"));
                try {
                    key = addVersion
                            ? EnvironmentMasterKeySource.withNewVersion(current)
                            : EnvironmentMasterKeySource.withOnlyPrimary(current);
                } catch (GeneralSecurityException | IllegalArgumentException e) {
                    throw new CliException("CAPSTAN_MASTER_KEY is not a key printed by this command");
                }
            } else {
                key = EnvironmentMasterKeySource.generate();
            }
            terminal.out().println(key.reveal());
            return 0;
        }
    }
}
