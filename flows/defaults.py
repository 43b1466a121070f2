"""Defaults shared by the command line and the flow, in a module light
enough for the CLI to import before it starts anything."""

# Files per batch task: big enough to amortise each GX run and task, small
# enough that a batch's frames stay well under a few hundred MB.
DEFAULT_BATCH = 2500
