"""`python -m webui.cli` runs the `jianyi` command (the benchmarks start servers this way)."""
from . import main

main()
