package io.braid.cli;

/** How a command prints its result: for people, or one JSON document for scripts. */
enum OutputFormat {
    text, json
}
