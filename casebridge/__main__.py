"""`python -m casebridge` is the same as the `casebridge` command."""

from casebridge.cli import main

main()
