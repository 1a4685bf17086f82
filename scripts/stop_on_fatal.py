"""supervisord event listener (scripts/supervisord.conf): stop everything when a program is FATAL.

supervisord restarts a process that dies, but gives up on one that cannot even start
(it exits within startsecs, startretries times over: a port already taken, a database
that is not there). Without this, start.sh would keep running half a site and say
nothing on the console but "gave up". With it, supervisord stops the other programs and
exits, as start.sh did before it supervised anything.

Kept outside the handgen_site package on purpose: importing that package loads Celery
and Django settings, which a listener has no use for.
"""

import os
import signal
import sys

from supervisor import childutils


def main() -> None:
    while True:
        headers, payload = childutils.listener.wait(sys.stdin, sys.stdout)
        if headers["eventname"] == "PROCESS_STATE_FATAL":
            process = childutils.get_headers(payload.split("\n", 1)[0]).get("processname", "?")
            print(f"stop_on_fatal: {process} could not be started; stopping HandGen", file=sys.stderr, flush=True)
            os.kill(os.getppid(), signal.SIGTERM)  # our parent is supervisord
        childutils.listener.ok(sys.stdout)


if __name__ == "__main__":
    main()
