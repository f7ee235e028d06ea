package io.capstan.cli;

import io.capstan.client.CapstanApiException;
import io.capstan.client.CapstanConnectionException;
import io.capstan.client.ClientConfigFile;
import io.capstan.server.ServerConfig;
import io.capstan.server.keyring.KeyringUnavailableException;
import io.capstan.server.store.Database;
import java.io.UncheckedIOException;
import java.lang.reflect.Constructor;
import picocli.CommandLine;

/**
 * The {@code capstan} program. Exit codes: 0 success, 1 the operation failed (the reason is printed on one line),
 * 2 the command line was wrong.
 */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        int code = run(Terminal.system(), args);
        if (!(args.length > 0 && args[0].equals("server") && code == 0)) {
            System.exit(code);
        }
    }

    public static int run(Terminal terminal, String... args) {
        CommandLine commandLine = commandLine(terminal);
        int code = commandLine.execute(args);
        terminal.out().flush();
        terminal.err().flush();
        return code;
    }

    /** The whole command tree, with every command given {@code terminal}. */
    public static CommandLine commandLine(Terminal terminal) {
        CommandLine commandLine = new CommandLine(CapstanCommand.class, new Factory(terminal));
        commandLine.setOut(terminal.out());
        commandLine.setErr(terminal.err());
        commandLine.setExecutionExceptionHandler((exception, line, parseResult) -> {
            terminal.err().println("capstan: " + describe(exception));
            terminal.err().flush();
            return 1;
        });
        return commandLine;
    }

    static String describe(Exception exception) {
        if (exception instanceof CapstanApiException api) {
            return api.problem().detail() + " (" + api.problem().code() + ")";
        }
        if (exception instanceof CliException
                || exception instanceof CapstanConnectionException
                || exception instanceof ClientConfigFile.InsecureConfigFileException
                || exception instanceof ClientConfigFile.InvalidConfigFileException
                || exception instanceof ServerConfig.InvalidConfigException
                || exception instanceof Database.DatabaseUnavailableException
                || exception instanceof KeyringUnavailableException
                || exception instanceof UncheckedIOException) {
            return exception.getMessage();
        }
        return "unexpected failure: " + exception;
    }

    /** Creates commands, handing the terminal to those that take it. */
    private static final class Factory implements CommandLine.IFactory {
        private final Terminal terminal;

        private Factory(Terminal terminal) {
            this.terminal = terminal;
        }

        @Override
        public <K> K create(Class<K> type) throws Exception {
            try {
                Constructor<K> constructor = type.getDeclaredConstructor(Terminal.class);
                return constructor.newInstance(terminal);
            } catch (NoSuchMethodException e) {
                return CommandLine.defaultFactory().create(type);
            }
        }
    }
}
