"""Headless sub-commands. Each module here defines ``register(subparsers)``; ``planner.cli``
finds them all. Modules keep heavy imports (astropy, requests, Qt) inside their handlers so
``planner --help`` stays fast."""
