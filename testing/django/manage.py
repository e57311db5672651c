#!/usr/bin/env python
"""Management entry point for the glyde-session SimpleJWT test backend."""
import os
import sys
import threading


def _exit_when_parent_goes_away():
    """With GLYDE_PARENT_WATCH=1 the parent keeps our stdin open as a pipe;
    EOF means the parent (the Node test process) is gone, even if it was
    SIGKILLed, so the server must not outlive it."""
    def watch():
        try:
            while sys.stdin.buffer.read(4096):
                pass
        except Exception:
            pass
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "glyde_backend.settings")
    if os.environ.get("GLYDE_PARENT_WATCH") == "1":
        _exit_when_parent_goes_away()
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
