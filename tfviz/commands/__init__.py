"""CLI sub-commands, one module per area: register(subparsers) + run(args)."""
