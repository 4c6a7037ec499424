"""``python -m stargate`` runs the command line."""

from stargate.cli import main

main()
