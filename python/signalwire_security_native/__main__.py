"""``python -m signalwire_security_native``: the ``signalwire-webhook`` tool."""

from . import main

main()
