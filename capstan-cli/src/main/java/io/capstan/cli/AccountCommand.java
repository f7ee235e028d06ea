package io.capstan.cli;

import io.capstan.api.Role;
import io.capstan.api.account.AccountView;
import io.capstan.api.account.CreateAccountRequest;
import io.capstan.api.aws.AwsRoleView;
import io.capstan.api.aws.SetAwsRoleRequest;
import io.capstan.client.CapstanClient;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
        name = "account",
        description = "Manage accounts (teams) and their members.",
        subcommands = {
            AccountCommand.Create.class,
            AccountCommand.ListAccounts.class,
            AccountCommand.Show.class,
            AccountCommand.Delete.class,
            AccountCommand.Usage.class,
            AccountCommand.SetQuota.class,
            AccountCommand.AddMember.class,
            AccountCommand.RemoveMember.class,
            AccountCommand.SetAwsRole.class,
            AccountCommand.ShowAwsRole.class,
            AccountCommand.ClearAwsRole.class
        })
public final class AccountCommand {
    @Command(name = "create", description = "Create an account (server administrators).")
    public static final class Create extends ClientCommand {
        @Parameters(paramLabel = "NAME", description = "Lowercase letters, digits and hyphens.")
        String name;

        public Create(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            AccountView account = client.createAccount(new CreateAccountRequest(name));
            output.print(account, () -> output.line("Created account " + account.name() + "."));
        }
    }

    @Command(name = "list", description = "List your accounts (server administrators: all).")
    public static final class ListAccounts extends ClientCommand {
        public ListAccounts(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            List<AccountView> accounts = client.listAccounts();
            output.print(
                    accounts,
                    () -> output.table(
                            List.of("NAME", "MEMBERS", "CREATED"),
                            accounts.stream()
                                    .map(account -> List.of(
                                            account.name(),
                                            Integer.toString(account.members().size()),
                                            Output.time(account.createdAt())))
                                    .toList()));
        }
    }

    @Command(name = "show", description = "Show an account and its members.")
    public static final class Show extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        public Show(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            AccountView account = client.showAccount(name);
            output.print(account, () -> {
                output.line("account " + account.name() + ", created " + Output.time(account.createdAt()));
                output.table(
                        List.of("MEMBER", "ROLE", "SINCE"),
                        account.members().stream()
                                .map(member -> List.of(
                                        member.username(), member.role().wireName(), Output.time(member.since())))
                                .toList());
            });
        }
    }

    @Command(
            name = "delete",
            description = "Delete an account with everything it owns and destroy its data key: nothing of it can be"
                    + " recovered, not even from a backup of the database (server administrators).")
    public static final class Delete extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--yes", description = "Confirm: this cannot be undone.")
        boolean confirmed;

        public Delete(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            if (!confirmed) {
                throw new CliException("deleting account '" + name + "' cannot be undone; run again with --yes");
            }
            client.deleteAccount(name);
            output.print(
                    java.util.Map.of("deleted", name),
                    () -> output.line("Deleted account " + name + " and destroyed its data key."));
        }
    }

    @Command(name = "usage", description = "What an account uses of its quota now.")
    public static final class Usage extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        public Usage(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            io.capstan.api.account.UsageView usage = client.usage(name);
            output.print(
                    usage,
                    () -> output.table(
                            List.of("ACCOUNT " + usage.account(), "USED", "QUOTA"),
                            List.of(
                                    List.of(
                                            "clusters",
                                            Integer.toString(usage.used().clusters()),
                                            Integer.toString(usage.quota().clusters())),
                                    List.of(
                                            "workers",
                                            Integer.toString(usage.used().workers()),
                                            Integer.toString(usage.quota().workers())),
                                    List.of(
                                            "cores",
                                            Integer.toString(usage.used().cores()),
                                            Integer.toString(usage.quota().cores())))));
        }
    }

    @Command(name = "set-quota", description = "Change an account's quota (its admins and server administrators).")
    public static final class SetQuota extends ClientCommand {
        @Parameters(paramLabel = "NAME")
        String name;

        @Option(names = "--clusters", paramLabel = "N", description = "Concurrent clusters.")
        Integer clusters;

        @Option(names = "--workers", paramLabel = "N", description = "Workers over all clusters.")
        Integer workers;

        @Option(names = "--cores", paramLabel = "N", description = "Threads over all workers.")
        Integer cores;

        public SetQuota(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            AccountView updated = client.setQuota(
                    name,
                    new io.capstan.api.account.SetQuotaRequest(
                            java.util.Optional.ofNullable(clusters),
                            java.util.Optional.ofNullable(workers),
                            java.util.Optional.ofNullable(cores)));
            output.print(
                    updated,
                    () -> output.line("Account " + updated.name() + ": at most "
                            + updated.quota().clusters() + " clusters, "
                            + updated.quota().workers() + " workers, "
                            + updated.quota().cores() + " cores."));
        }
    }

    @Command(name = "add-member", description = "Add a user to an account, or change their role.")
    public static final class AddMember extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ACCOUNT")
        String account;

        @Parameters(index = "1", paramLabel = "USERNAME")
        String username;

        @Option(
                names = "--role",
                paramLabel = "ROLE",
                defaultValue = "member",
                description = "member or admin" + " (default: ${DEFAULT-VALUE}).")
        String role;

        public AddMember(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            Role parsed = Role.fromWireName(role.toLowerCase(Locale.ROOT))
                    .orElseThrow(() -> new CliException("--role must be member or admin, not '" + role + "'"));
            AccountView updated = client.setMember(account, username, parsed);
            output.print(
                    updated,
                    () -> output.line(
                            username + " is now " + parsed.wireName() + " of account " + updated.name() + "."));
        }
    }

    @Command(name = "remove-member", description = "Remove a user from an account; their access ends at once.")
    public static final class RemoveMember extends ClientCommand {
        @Parameters(index = "0", paramLabel = "ACCOUNT")
        String account;

        @Parameters(index = "1", paramLabel = "USERNAME")
        String username;

        public RemoveMember(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            AccountView updated = client.removeMember(account, username);
            output.print(updated, () -> output.line("Removed " + username + " from account " + updated.name() + "."));
        }
    }

    @Command(
            name = "set-aws-role",
            description = {
                "Set the AWS role an account's clusters may get credentials of (account admins). A cluster created"
                        + " with --aws-role gets credentials the control plane assumes with its own AWS credentials"
                        + " (STS AssumeRole), refreshed at half their lifetime while it runs.",
                "The role's trust policy must let the control plane's AWS identity assume it."
            })
    public static final class SetAwsRole extends ClientCommand {
        @Parameters(paramLabel = "ROLE_ARN", description = "Like arn:aws:iam::123456789012:role/data-reader.")
        String roleArn;

        @Option(
                names = "--account",
                paramLabel = "NAME",
                description = "The account (needed when you belong to" + " several).")
        String account;

        @Option(
                names = "--session-policy",
                paramLabel = "FILE",
                description = "An IAM policy document (JSON, at most 2048 characters) that narrows what the"
                        + " assumed credentials may do.")
        java.nio.file.Path sessionPolicy;

        public SetAwsRole(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            java.util.Optional<String> policy = java.util.Optional.ofNullable(sessionPolicy)
                    .map(path -> {
                        try {
                            return java.nio.file.Files.readString(path);
                        } catch (java.io.IOException e) {
                            throw new CliException("cannot read --session-policy " + path + ": " + e.getMessage());
                        }
                    });
            AwsRoleView role = client.setAwsRole(accountOf(client, account), new SetAwsRoleRequest(roleArn, policy));
            output.print(
                    role,
                    () -> output.line("Clusters of account " + role.account() + " created with --aws-role get"
                            + " credentials of " + role.roleArn()
                            + (role.sessionPolicy().isPresent() ? ", narrowed by the session policy." : ".")));
        }
    }

    @Command(name = "show-aws-role", description = "Show an account's AWS role and its session policy.")
    public static final class ShowAwsRole extends ClientCommand {
        @Option(
                names = "--account",
                paramLabel = "NAME",
                description = "The account (needed when you belong to" + " several).")
        String account;

        public ShowAwsRole(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            AwsRoleView role = client.awsRole(accountOf(client, account));
            output.print(role, () -> {
                output.line("account " + role.account() + ": " + role.roleArn());
                role.sessionPolicy().ifPresent(policy -> output.line("session policy: " + policy));
            });
        }
    }

    @Command(
            name = "clear-aws-role",
            description = "Remove an account's AWS role (account admins): running clusters' assumed credentials are"
                    + " no longer refreshed and expire.")
    public static final class ClearAwsRole extends ClientCommand {
        @Option(
                names = "--account",
                paramLabel = "NAME",
                description = "The account (needed when you belong to" + " several).")
        String account;

        public ClearAwsRole(Terminal terminal) {
            super(terminal);
        }

        @Override
        protected void run(CapstanClient client, Output output) {
            String name = accountOf(client, account);
            client.clearAwsRole(name);
            output.print(
                    java.util.Map.of("account", name),
                    () -> output.line("Account " + name + " has no AWS role any more."));
        }
    }

    /** The account named, or the caller's only one. */
    /** The account named by {@code --account}, else the caller's only one. */
    static String accountOf(CapstanClient client, String account) {
        return account != null ? account : SharedReference.ownAccount(client, "--account");
    }
}
