"""The one error base of the package.

Every error stargate raises on bad input or a refused operation derives from
:class:`StargateError`; the command line catches it once (``error: ...``, exit 2) and the web app
turns it into a JSON or HTML error. Anything else that escapes is a bug.
"""

from __future__ import annotations


class StargateError(Exception):
    """Bad input or a refused operation, with a message that names the file and field."""

    exit_code: int = 2
