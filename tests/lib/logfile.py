"""The last lines of a server's log file, for error messages. Standard library only."""


def tail(path, lines=30):
    """The last `lines` lines of the file at `path` ("" when it cannot be read)."""
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
    except OSError:
        return ""
