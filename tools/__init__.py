"""Developer tools that are not part of the program (not shipped in the wheel)."""
