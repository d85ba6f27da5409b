"""Run `authgen credentials` on a pseudo-terminal and type into it, as a person would.

usage: tty.py AUTHGEN REPO SOURCE JSON_STEPS
Steps: [["expect", text], ["send", text], ["interrupt"]]. Prints a JSON object:
the screen (everything the terminal showed), the exit code or signal, and
whether the terminal's echo was on when the program ended.
"""

import fcntl
import json
import os
import select
import subprocess
import sys
import termios
import time

DEADLINE = 20.0


def main():
    authgen, repo, source, raw = sys.argv[1:5]
    steps = json.loads(raw)
    master, slave = os.openpty()

    def controlling_terminal():
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    child = subprocess.Popen(
        [authgen, "credentials", source],
        cwd=repo,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        preexec_fn=controlling_terminal,
    )
    screen = b""
    seen_up_to = 0
    start = time.monotonic()

    def read_until(text):
        """Wait for `text` after what earlier steps already matched."""
        nonlocal screen, seen_up_to
        while text.encode() not in screen[seen_up_to:]:
            left = DEADLINE - (time.monotonic() - start)
            if left <= 0:
                raise SystemExit(f"timed out waiting for {text!r}; screen so far:\n{screen.decode(errors='replace')}")
            ready, _, _ = select.select([master], [], [], left)
            if ready:
                try:
                    screen += os.read(master, 4096)
                except OSError:
                    raise SystemExit(f"terminal closed waiting for {text!r}:\n{screen.decode(errors='replace')}")
        seen_up_to = screen.index(text.encode(), seen_up_to) + len(text)

    for step in steps:
        if step[0] == "expect":
            read_until(step[1])
        elif step[0] == "send":
            os.write(master, step[1].encode())
        elif step[0] == "interrupt":
            os.write(master, b"\x03")
    try:
        code = child.wait(timeout=DEADLINE)
    except subprocess.TimeoutExpired:
        child.kill()
        raise SystemExit("authgen did not exit")
    # Whatever is left on the screen.
    while True:
        ready, _, _ = select.select([master], [], [], 0.2)
        if not ready:
            break
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
    echo = bool(termios.tcgetattr(slave)[3] & termios.ECHO)
    print(json.dumps({"screen": screen.decode(errors="replace"), "code": code, "echo_on_exit": echo}))


if __name__ == "__main__":
    main()
