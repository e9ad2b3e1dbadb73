"""The bodies of the `parindex` subcommands that have grown beyond `parindex.cli`."""
