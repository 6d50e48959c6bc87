"""`python -m forcecheck` and the `forcecheck` command: the command line, started with the
garbage collector off (`cli.common.collect_garbage` says why, and when it comes back on)."""

import gc


def main() -> None:
    gc.disable()
    from forcecheck.cli.app import main as run

    run()


if __name__ == "__main__":
    main()
