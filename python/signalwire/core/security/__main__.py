"""``python -m signalwire.core.security``: the ``signalwire-webhook`` command line tool."""

from signalwire.core.security.cli import main

main()
