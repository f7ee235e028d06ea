package io.capstan.server.notebook;

import static java.util.Objects.requireNonNull;

import io.capstan.api.Json;
import io.capstan.api.Visibility;
import io.capstan.api.notebook.NotebookView;
import io.capstan.api.notebook.PushNotebookRequest;
import io.capstan.api.notebook.UpdateNotebookRequest;
import io.capstan.server.CapstanException;
import io.capstan.server.account.Account;
import io.capstan.server.account.AccountDao;
import io.capstan.server.auth.Caller;
import io.capstan.server.internal.Ids;
import io.capstan.server.internal.Names;
import io.capstan.server.keyring.EncryptedColumn;
import io.capstan.server.keyring.FieldLocation;
import io.capstan.server.keyring.Keyring;
import io.capstan.server.logstore.LogStore;
import io.capstan.server.privacy.StoredData;
import io.capstan.server.sharing.Sharing;
import io.capstan.server.user.User;
import io.capstan.server.user.UserDao;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import tools.jackson.databind.JsonNode;

/**
 * Jupyter notebooks ({@code .ipynb}, nbformat 4), validated and size-limited, their content encrypted under the
 * owning account's data key (outputs may hold data). Pushing a notebook under a name that exists replaces it.
 */
public final class NotebookService {
    public static final List<EncryptedColumn> ENCRYPTED_COLUMNS =
            List.of(new EncryptedColumn("notebooks", "id", "content_ciphertext", "account_id", "content"));

    /** What this store keeps, for the privacy report. */
    public static final StoredData STORED_DATA = new StoredData(
            "Notebooks",
            "Notebooks pushed to your accounts: name, visibility, creator, content with its outputs",
            List.of("notebooks"),
            ENCRYPTED_COLUMNS,
            StoredData.Retention.untilDeletedByHand(),
            "SELECT COUNT(*) FROM notebooks WHERE account_id IN (<accounts>)");

    public static final long MAX_BYTES = 5L * 1024 * 1024;
    private static final int MAX_CELLS = 10_000;
    private static final Set<String> CELL_TYPES = Set.of("code", "markdown", "raw");

    private final Jdbi jdbi;
    private final Keyring keyring;
    private final LogStore logStore;
    private final Visibility defaultVisibility;
    private final Clock clock;

    public NotebookService(Jdbi jdbi, Keyring keyring, LogStore logStore, Visibility defaultVisibility, Clock clock) {
        this.jdbi = requireNonNull(jdbi, "jdbi is null");
        this.keyring = requireNonNull(keyring, "keyring is null");
        this.logStore = requireNonNull(logStore, "logStore is null");
        this.defaultVisibility = requireNonNull(defaultVisibility, "defaultVisibility is null");
        this.clock = requireNonNull(clock, "clock is null");
    }

    /** The result of a push: the notebook, and whether it was new. */
    public record Pushed(NotebookView notebook, boolean created) {}

    public Pushed push(Caller caller, String accountName, String name, PushNotebookRequest request) {
        Names.requireSlug("name", name);
        JsonNode notebook =
                Optional.ofNullable(request.notebook()).orElseThrow(() -> CapstanException.missingField("notebook"));
        int cells = validate(notebook);
        byte[] content = Json.strict().writeValueAsBytes(notebook);
        if (content.length > MAX_BYTES) {
            throw CapstanException.invalidField("notebook", "the notebook is larger than " + MAX_BYTES + " bytes");
        }
        return jdbi.inTransaction(handle -> {
            Account account = Sharing.owningAccount(handle, caller, Optional.of(accountName));
            NotebookDao notebooks = handle.attach(NotebookDao.class);
            Optional<Notebook> existing = notebooks.find(account.id(), name);
            Instant now = clock.instant();
            if (existing.isPresent()) {
                Notebook current = existing.get();
                Sharing.requireManager(handle, caller, current.accountId(), current.creatorId(), "notebook " + name);
                Notebook replaced = new Notebook(
                        current.id(),
                        current.accountId(),
                        current.creatorId(),
                        name,
                        request.visibility().orElse(current.visibility()),
                        keyring.encrypt(current.accountId(), location(current.id()), content),
                        content.length,
                        cells,
                        current.createdAt(),
                        now);
                notebooks.update(replaced);
                logStore.event(
                        handle,
                        account.id(),
                        current.id(),
                        "notebook",
                        "notebook " + name + " replaced by " + caller.user().username());
                return new Pushed(view(handle, replaced), false);
            }
            String id = Ids.newId("nb");
            Notebook created = new Notebook(
                    id,
                    account.id(),
                    caller.userId(),
                    name,
                    request.visibility().orElse(defaultVisibility),
                    keyring.encrypt(account.id(), location(id), content),
                    content.length,
                    cells,
                    now,
                    now);
            notebooks.insert(created);
            logStore.event(
                    handle,
                    account.id(),
                    id,
                    "notebook",
                    "notebook " + name + " pushed by " + caller.user().username() + " ("
                            + created.visibility().wireName() + ")");
            return new Pushed(view(handle, created), true);
        });
    }

    public List<NotebookView> list(Caller caller) {
        return jdbi.withHandle(
                handle -> handle.attach(NotebookDao.class).listVisible(Sharing.accountIds(handle, caller)).stream()
                        .map(notebook -> view(handle, notebook))
                        .toList());
    }

    public NotebookView show(Caller caller, String account, String name) {
        return jdbi.withHandle(handle -> view(handle, visible(handle, caller, account, name)));
    }

    /** The notebook's content, as it was pushed. */
    public byte[] content(Caller caller, String account, String name) {
        Notebook notebook = jdbi.withHandle(handle -> visible(handle, caller, account, name));
        return keyring.decrypt(notebook.accountId(), location(notebook.id()), notebook.contentCiphertext());
    }

    public NotebookView update(Caller caller, String account, String name, UpdateNotebookRequest request) {
        return jdbi.inTransaction(handle -> {
            Notebook current = visible(handle, caller, account, name);
            Sharing.requireManager(handle, caller, current.accountId(), current.creatorId(), "notebook " + name);
            Notebook updated = new Notebook(
                    current.id(),
                    current.accountId(),
                    current.creatorId(),
                    name,
                    request.visibility().orElse(current.visibility()),
                    current.contentCiphertext(),
                    current.sizeBytes(),
                    current.cells(),
                    current.createdAt(),
                    clock.instant());
            handle.attach(NotebookDao.class).update(updated);
            logStore.event(
                    handle,
                    current.accountId(),
                    current.id(),
                    "notebook",
                    "notebook " + name + " made " + updated.visibility().wireName() + " by "
                            + caller.user().username());
            return view(handle, updated);
        });
    }

    public void delete(Caller caller, String account, String name) {
        jdbi.useTransaction(handle -> {
            Notebook current = visible(handle, caller, account, name);
            Sharing.requireManager(handle, caller, current.accountId(), current.creatorId(), "notebook " + name);
            handle.attach(NotebookDao.class).delete(current.id());
            logStore.event(
                    handle,
                    current.accountId(),
                    current.id(),
                    "notebook",
                    "notebook " + name + " deleted by " + caller.user().username());
        });
    }

    /** Checks the shape of an nbformat 4 notebook; returns its number of cells. */
    static int validate(JsonNode notebook) {
        if (!notebook.isObject()) {
            throw invalid("a notebook is a JSON object");
        }
        JsonNode format = notebook.path("nbformat");
        if (!format.isIntegralNumber()
                || format.asInt() != 4
                || !notebook.path("nbformat_minor").isIntegralNumber()) {
            throw invalid("only nbformat 4 notebooks are accepted ('nbformat': 4 and an integer 'nbformat_minor')");
        }
        if (!notebook.path("metadata").isObject()) {
            throw invalid("a notebook has a 'metadata' object");
        }
        JsonNode cells = notebook.path("cells");
        if (!cells.isArray() || cells.size() > MAX_CELLS) {
            throw invalid("a notebook has a 'cells' array of at most " + MAX_CELLS + " cells");
        }
        for (JsonNode cell : cells) {
            if (!cell.isObject() || !CELL_TYPES.contains(cell.path("cell_type").asString(""))) {
                throw invalid("every cell is an object with a 'cell_type' of code, markdown or raw");
            }
            JsonNode source = cell.path("source");
            boolean text = source.isString();
            boolean lines = source.isArray();
            if (lines) {
                for (JsonNode line : source) {
                    lines &= line.isString();
                }
            }
            if (!text && !lines) {
                throw invalid("every cell has a 'source' string or list of strings");
            }
        }
        return cells.size();
    }

    private static CapstanException invalid(String message) {
        return CapstanException.invalidField("notebook", message);
    }

    private static Notebook visible(Handle handle, Caller caller, String account, String name) {
        return handle.attach(AccountDao.class)
                .findByName(account)
                .flatMap(found -> handle.attach(NotebookDao.class).find(found.id(), name))
                .filter(notebook -> Sharing.isVisible(handle, caller, notebook.accountId(), notebook.visibility()))
                .orElseThrow(() -> CapstanException.notFound("notebook '" + account + "/" + name + "'"));
    }

    private static NotebookView view(Handle handle, Notebook notebook) {
        String account = handle.attach(AccountDao.class)
                .findById(notebook.accountId())
                .map(Account::name)
                .orElse("");
        String creator = handle.attach(UserDao.class)
                .findById(notebook.creatorId())
                .map(User::username)
                .orElse("(deleted user)");
        return new NotebookView(
                notebook.id(),
                account,
                notebook.name(),
                notebook.visibility(),
                notebook.sizeBytes(),
                notebook.cells(),
                creator,
                notebook.createdAt(),
                notebook.updatedAt());
    }

    private static FieldLocation location(String id) {
        return ENCRYPTED_COLUMNS.get(0).location(id);
    }
}
