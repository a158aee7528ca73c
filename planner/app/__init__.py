"""The use cases, once, for the window and the commands alike (Qt-free); see docs/architecture.md."""
