"""``python -m signalwire.core.security``: the ``signalwire-webhook`` command line tool."""

from .cli import main

main()
