"""`python -m flyte_pulumi`: prints the field table (README's)."""

from .fields import main

main()
