"""Exports: the World as JSON, CSV, GraphML or FollowTheMoney lines (:mod:`.world`), and the
ledger with the World in one SQLite file for Datasette (:mod:`.sqlite`)."""
