"""The command line: a thin client of the library. `app` holds the typer application."""


def main() -> None:
    """The `forcecheck` command and `python -m forcecheck`: the command line, started with the
    garbage collector off (`common.collect_garbage` says why, and when it comes back on)."""
    import gc

    gc.disable()
    from forcecheck.cli.app import main as run

    run()
