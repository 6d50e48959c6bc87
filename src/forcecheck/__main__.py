from forcecheck.cli import main

main()
