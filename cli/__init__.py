"""The `likewise` command line, the top layer: a root parser and its subcommands, each given the open library."""
