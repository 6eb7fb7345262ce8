"""Start-up shim that runs a stock Splash 3.5 server on Python 3.11 + lupa 2.

Splash 3.5 (2020) predates Python 3.9+ and lupa 2, and breaks on a few
points.  We never edit installed files: this module patches the problems in
memory, *before* any splash module is imported, then calls
``splash.server.main()`` with our own argv.

Usage (normally via start.sh, which also sets the needed environment):

    $SPLASH_VENV/bin/python launcher.py [--restart] --port 8050 [other splash options]

``--restart`` runs Splash in a child process that is started again whenever it exits (with
``--maxrss``, Splash exits once it has grown past the limit: this is how it recycles itself).

Environment that must be set by the caller (see start.sh): QT_QPA_PLATFORM=
offscreen, QTWEBENGINE_DISABLE_SANDBOX=1 (root), QT_QUICK_BACKEND=software
(chromium engine), XDG_RUNTIME_DIR=<private 0700 dir>.
"""
import json
import sys


def _patch_json_loads():
    # Splash calls json.loads(body, encoding='utf8') for every JSON POST
    # (render_options.py; scrapy-splash always POSTs JSON).  The `encoding`
    # argument was removed in Python 3.9 and now raises TypeError -> HTTP 500.
    orig = json.loads

    def loads(s, *args, **kwargs):
        kwargs.pop("encoding", None)
        return orig(s, *args, **kwargs)

    json.loads = loads


def _patch_lupa():
    # lupa 2 bundles several Lua versions and `import lupa` defaults to the
    # newest (5.5).  Splash's Lua glue was written for Lua 5.2; under 5.4+
    # `require()` returns two values and /execute fails with
    # "'LuaRender' object has no attribute 'splash'".  Bind the public names
    # of the `lupa` package to the bundled Lua 5.2 module; module attributes
    # take precedence over lupa's lazy __getattr__, so splash's `import lupa`
    # and `lupa.LuaRuntime` / `lupa.LuaError` etc. all see Lua 5.2.
    import lupa
    from lupa import lua52

    for name in lua52.__all__:
        setattr(lupa, name, getattr(lua52, name))


def _patch_qtimer():
    # Splash passes float milliseconds to QTimer.start() (splash:wait(0.5),
    # timeouts, call_later).  PyQt5 on Python 3.10+ no longer converts floats
    # to int implicitly -> TypeError.  Replace QtCore.QTimer with a subclass
    # that rounds; splash does `from PyQt5.QtCore import QTimer` at import
    # time, so it picks the subclass up as long as this runs first.
    from PyQt5 import QtCore

    class QTimer(QtCore.QTimer):
        def start(self, *args):
            if args and isinstance(args[0], float):
                args = (int(round(args[0])),) + args[1:]
            return super().start(*args)

        def setInterval(self, msec):
            return super().setInterval(int(round(msec)))

    QtCore.QTimer = QTimer


def supervise(args):
    """Run Splash in a child process and start it again whenever it exits.

    Splash's ``--maxrss`` makes it exit once its peak RSS passes the limit (it grows with every
    render); Docker's ``--restart always`` then starts a fresh one, and this loop does the same
    for the Splash started by start.sh. SIGTERM (stop.sh) stops the child, then the loop.
    Starts that fail quickly are retried with a growing pause, so a broken install cannot spin.
    """
    import os
    import signal
    import subprocess
    import time

    stopping = False
    child = None
    child_pidfile = os.environ.get("SPLASH_CHILD_PIDFILE")

    def stop(signum, frame):
        nonlocal stopping
        stopping = True
        if child is not None and child.poll() is None:
            child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    pause = 1.0
    while not stopping:
        started = time.monotonic()
        child = subprocess.Popen([sys.executable, os.path.abspath(__file__), *args])
        if child_pidfile:
            # Written aside and renamed: tests poll this file while Splash recycles and must never read
            # it truncated but not yet written.
            with open(child_pidfile + ".part", "w") as out:
                out.write(f"{child.pid}\n")
            os.replace(child_pidfile + ".part", child_pidfile)
        code = child.wait()
        if stopping:
            break
        pause = 1.0 if time.monotonic() - started > 30 else min(pause * 2, 30.0)
        print(f"splash supervisor: Splash (pid {child.pid}) exited with status {code}; "
              f"starting a fresh one in {pause:.0f} s", flush=True)
        time.sleep(pause)
    if child is not None:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main(argv=None):
    args = sys.argv[1:] if argv is None else list(argv)
    if "--restart" in args:
        args.remove("--restart")
        supervise(args)
        return
    if "splash" in sys.modules:
        raise RuntimeError("launcher patches must run before splash is imported")
    _patch_json_loads()
    _patch_lupa()
    _patch_qtimer()

    from splash import server

    # Qt takes the application name from sys.argv[0] and WebKit puts it in
    # the default User-Agent; use "splash" like the official image does
    # (instead of "launcher.py").  optparse sees argv[0] as a positional
    # argument, which splash ignores.
    sys.argv = ["splash"] + args
    server.main(argv=sys.argv)


if __name__ == "__main__":
    main()
