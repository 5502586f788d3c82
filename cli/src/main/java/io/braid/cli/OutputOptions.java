package io.braid.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.function.BiConsumer;

/**
 * The {@code --output text|json} option of the commands that print one answer of an API, and
 * the printing itself: one JSON document for scripts, or the command's own text for people.
 */
final class OutputOptions {
    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json.")
    OutputFormat format;

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    /**
     * Prints {@code value} with {@code json}, or hands it to {@code text}; flushes.
     *
     * @return {@link ExitCodes#OK}, for the command to return
     */
    <T> int print(ObjectMapper json, T value, BiConsumer<PrintWriter, ? super T> text) throws IOException {
        PrintWriter out = command.commandLine().getOut();
        if (format == OutputFormat.json) {
            out.println(json.writeValueAsString(value));
        } else {
            text.accept(out, value);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
