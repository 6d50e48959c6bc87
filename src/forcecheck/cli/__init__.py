"""The command line: a thin client of the library. `app` holds the typer application."""
