package io.braid.cli;

import io.braid.node.NodeConfig;
import io.braid.node.NodeConfigLoader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code braid node run --config node.yaml}: runs the node a config file describes. */
@Command(name = "run", description = {"Run the storage node described by a YAML file until"
        + " Ctrl-C or SIGTERM.", "See docs/operations.md for the file format."})
final class NodeRunCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", required = true,
            description = "Node configuration (YAML).")
    Path config;

    @Option(names = "--output", paramLabel = "FORMAT", defaultValue = "text",
            description = "text (default) or json.")
    OutputFormat output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        NodeConfig c = NodeConfigLoader.load(config);
        return NodeRunner.run(c, spec.commandLine().getOut(), output);
    }
}
