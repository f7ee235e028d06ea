package io.capstan.server.environment;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Json;
import io.capstan.api.Visibility;
import io.capstan.api.environment.CreateEnvironmentRequest;
import io.capstan.api.environment.EnvironmentView;
import io.capstan.api.environment.PackagePin;
import io.capstan.api.environment.UpdateEnvironmentRequest;
import io.capstan.server.CapstanException;
import io.capstan.server.account.Account;
import io.capstan.server.account.AccountDao;
import io.capstan.server.auth.Caller;
import io.capstan.server.internal.Ids;
import io.capstan.server.internal.Names;
import io.capstan.server.logstore.LogStore;
import io.capstan.server.privacy.StoredData;
import io.capstan.server.sharing.Sharing;
import io.capstan.server.store.Database;
import io.capstan.server.user.User;
import io.capstan.server.user.UserDao;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.core.type.TypeReference;

/**
 * Software environments: what a cluster's processes run. For the local backend a Python interpreter on this
 * machine (checked to exist and be executable, and run directly, never through a shell); for container backends an
 * image reference (checked for its syntax only: the server never fetches anything a user names).
 */
public final class EnvironmentService {
    /** What this store keeps, for the privacy report. */
    public static final StoredData STORED_DATA = new StoredData(
            "Software environment metadata",
            "Your accounts' software environments (interpreter or image, packages) and cluster configurations",
            List.of("environments", "cluster_configurations"),
            List.of(),
            StoredData.Retention.untilDeletedByHand(),
            "SELECT (SELECT COUNT(*) FROM environments WHERE account_id IN (<accounts>))"
                    + " + (SELECT COUNT(*) FROM cluster_configurations WHERE account_id IN (<accounts>))");

    private static final Pattern IMAGE =
            Pattern.compile("(?:[a-z0-9]+(?:[.-][a-z0-9]+)*(?::[0-9]{1,5})?/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*"
                    + "(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?"
                    + "(?:@sha256:[a-f0-9]{64})?");
    private static final Pattern PACKAGE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
    private static final int MAX_PACKAGES = 500;

    private final Jdbi jdbi;
    private final LogStore logStore;
    private final Visibility defaultVisibility;
    private final Clock clock;

    public EnvironmentService(Jdbi jdbi, LogStore logStore, Visibility defaultVisibility, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.logStore = requireNonNull(logStore, "logStore is null");
        this.defaultVisibility = requireNonNull(defaultVisibility, "defaultVisibility is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    public EnvironmentView create(Caller caller, CreateEnvironmentRequest request) {
        String name = Names.requireSlug("name", request.name());
        Optional<String> python = request.pythonExecutable().map(EnvironmentService::validatePython);
        Optional<String> image = request.image().map(EnvironmentService::validateImage);
        if (python.isEmpty() && image.isEmpty()) {
            throw CapstanException.missingField("pythonExecutable");
        }
        String packages = Json.strict()
                .writeValueAsString(validatePackages(request.packages().orElse(List.of())));
        Optional<String> description = request.description().map(text -> Names.requireLabel("description", text, 1000));
        try {
            return jdbi.inTransaction(handle -> {
                Account account = Sharing.owningAccount(handle, caller, request.account());
                EnvironmentDao environments = handle.attach(EnvironmentDao.class);
                if (environments.find(account.id(), name).isPresent()) {
                    throw CapstanException.alreadyExists(
                            "account '" + account.name() + "' already has an environment" + " named '" + name + "'");
                }
                Instant now = clock.instant();
                Environment environment = new Environment(
                        Ids.newId("env"),
                        account.id(),
                        caller.userId(),
                        name,
                        request.visibility().orElse(defaultVisibility),
                        python,
                        image,
                        packages,
                        description,
                        now,
                        now);
                environments.insert(environment);
                logStore.event(
                        handle,
                        account.id(),
                        environment.id(),
                        "environment",
                        "environment " + name + " created by " + caller.user().username() + " ("
                                + environment.visibility().wireName() + ")");
                return view(handle, environment);
            });
        } catch (RuntimeException e) {
            if (Database.isUniqueViolation(e)) {
                throw CapstanException.alreadyExists("an environment named '" + name + "' already exists");
            }
            throw e;
        }
    }

    public List<EnvironmentView> list(Caller caller) {
        return jdbi.withHandle(
                handle -> handle.attach(EnvironmentDao.class).listVisible(Sharing.accountIds(handle, caller)).stream()
                        .map(environment -> view(handle, environment))
                        .toList());
    }

    public EnvironmentView show(Caller caller, String account, String name) {
        return jdbi.withHandle(handle -> view(handle, visible(handle, caller, account, name)));
    }

    public EnvironmentView update(Caller caller, String account, String name, UpdateEnvironmentRequest request) {
        return jdbi.inTransaction(handle -> {
            Environment current = visible(handle, caller, account, name);
            Sharing.requireManager(handle, caller, current.accountId(), current.creatorId(), "environment " + name);
            Environment updated = new Environment(
                    current.id(),
                    current.accountId(),
                    current.creatorId(),
                    current.name(),
                    request.visibility().orElse(current.visibility()),
                    current.pythonExecutable(),
                    current.image(),
                    request.packages()
                            .map(pins -> Json.strict().writeValueAsString(validatePackages(pins)))
                            .orElse(current.packages()),
                    request.description()
                            .map(text -> Names.requireLabel("description", text, 1000))
                            .or(current::description),
                    current.createdAt(),
                    clock.instant());
            handle.attach(EnvironmentDao.class).update(updated);
            logStore.event(
                    handle,
                    current.accountId(),
                    current.id(),
                    "environment",
                    "environment " + name + " updated by " + caller.user().username() + " ("
                            + updated.visibility().wireName() + ")");
            return view(handle, updated);
        });
    }

    public void delete(Caller caller, String account, String name) {
        jdbi.useTransaction(handle -> {
            Environment current = visible(handle, caller, account, name);
            Sharing.requireManager(handle, caller, current.accountId(), current.creatorId(), "environment " + name);
            handle.attach(EnvironmentDao.class).delete(current.id());
            logStore.event(
                    handle,
                    current.accountId(),
                    current.id(),
                    "environment",
                    "environment " + name + " deleted by " + caller.user().username());
        });
    }

    /**
     * The environment {@code reference} names, as seen by the caller creating a cluster in {@code clusterAccount}:
     * a bare name is looked up in that account, {@code account/name} anywhere it is visible.
     */
    public static Environment resolve(Handle handle, Caller caller, String reference, Account clusterAccount) {
        Sharing.Reference parsed = Sharing.parse("environment", reference);
        return Sharing.referencedAccount(handle, parsed, clusterAccount)
                .flatMap(account -> handle.attach(EnvironmentDao.class).find(account.id(), parsed.name()))
                .filter(environment ->
                        Sharing.isVisible(handle, caller, environment.accountId(), environment.visibility()))
                .orElseThrow(() -> CapstanException.notFound("environment '" + parsed.describe() + "'"));
    }

    private static Environment visible(Handle handle, Caller caller, String account, String name) {
        return handle.attach(AccountDao.class)
                .findByName(account)
                .flatMap(found -> handle.attach(EnvironmentDao.class).find(found.id(), name))
                .filter(environment ->
                        Sharing.isVisible(handle, caller, environment.accountId(), environment.visibility()))
                .orElseThrow(() -> CapstanException.notFound("environment '" + account + "/" + name + "'"));
    }

    private static EnvironmentView view(Handle handle, Environment environment) {
        String account = handle.attach(AccountDao.class)
                .findById(environment.accountId())
                .map(Account::name)
                .orElse("");
        String creator = handle.attach(UserDao.class)
                .findById(environment.creatorId())
                .map(User::username)
                .orElse("(deleted user)");
        List<PackagePin> packages =
                Json.lenient().readValue(environment.packages(), new TypeReference<List<PackagePin>>() {});
        return new EnvironmentView(
                environment.id(),
                account,
                environment.name(),
                environment.visibility(),
                environment.pythonExecutable(),
                environment.image(),
                packages,
                environment.description(),
                creator,
                environment.createdAt(),
                environment.updatedAt());
    }

    static String validatePython(String value) {
        if (value.length() > 4096 || value.chars().anyMatch(Character::isISOControl)) {
            throw CapstanException.invalidField("pythonExecutable", "'pythonExecutable' must be an absolute path");
        }
        Path path;
        try {
            path = Path.of(value);
        } catch (InvalidPathException e) {
            throw CapstanException.invalidField("pythonExecutable", "'pythonExecutable' must be an absolute path");
        }
        if (!path.isAbsolute() || !path.normalize().equals(path)) {
            throw CapstanException.invalidField(
                    "pythonExecutable", "'pythonExecutable' must be an absolute path" + " without '.' or '..'");
        }
        if (!Files.isRegularFile(path) || !Files.isExecutable(path)) {
            throw CapstanException.invalidField(
                    "pythonExecutable", "'pythonExecutable' must be an executable file" + " on the server's machine");
        }
        return value;
    }

    static String validateImage(String value) {
        if (value.length() > 255 || !IMAGE.matcher(value).matches()) {
            throw CapstanException.invalidField(
                    "image", "'image' must be an image reference like" + " registry.example.com/team/image:tag");
        }
        return value;
    }

    static List<PackagePin> validatePackages(List<PackagePin> packages) {
        if (packages.size() > MAX_PACKAGES) {
            throw CapstanException.invalidField("packages", "at most " + MAX_PACKAGES + " packages");
        }
        for (PackagePin pin : packages) {
            if (pin == null
                    || pin.name() == null
                    || !PACKAGE.matcher(pin.name()).matches()) {
                throw CapstanException.invalidField("packages", "package names are letters, digits, '.', '_' and '-'");
            }
            if (pin.version() == null
                    || pin.version().isEmpty()
                    || pin.version().length() > 100
                    || pin.version().chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
                throw CapstanException.invalidField("packages", "package versions are 1 to 100 printable characters");
            }
        }
        return List.copyOf(packages);
    }
}
