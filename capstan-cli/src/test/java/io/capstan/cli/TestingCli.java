package io.capstan.cli;

import java.io.BufferedReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Runs the capstan command line in-process, with its own environment, input and captured output. */
final class TestingCli {
    private final Map<String, String> environment;

    TestingCli(Map<String, String> environment) {
        this.environment = Map.copyOf(environment);
    }

    TestingCli with(String name, String value) {
        Map<String, String> changed = new HashMap<>(environment);
        changed.put(name, value);
        return new TestingCli(changed);
    }

    Result run(String... args) {
        return runWithInput("", args);
    }

    Result runWithInput(String input, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Terminal terminal = new Terminal(
                environment,
                new PrintWriter(out, true),
                new PrintWriter(err, true),
                new BufferedReader(new StringReader(input)),
                Optional.empty());
        int code = Main.run(terminal, args);
        return new Result(code, out.toString(), err.toString());
    }

    record Result(int exitCode, String out, String err) {
        Result expectSuccess() {
            if (exitCode != 0) {
                throw new AssertionError("exit " + exitCode + "\nout: " + out + "\nerr: " + err);
            }
            return this;
        }
    }
}
