from forcecheck.cli.app import main

main()
