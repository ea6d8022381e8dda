"""Named deadlines, in seconds. Every wait in the harness uses one of these.

CI machines are slower and busier than a developer's, so the values grow there (CI=true).
"""

from __future__ import annotations

import os

SCALE = 3.0 if os.environ.get("CI", "").lower() in ("1", "true", "yes") else 1.0

# --- Server processes (harness/launcher.py) ----------------------------------------------
# From spawning a server process to its ready line: covers interpreter start and imports.
SERVER_READY = 20.0 * SCALE
# From SIGTERM to exit before the process group is killed.
SERVER_STOP_GRACE = 3.0 * SCALE
# From SIGTERM to exit for a server whose launch already failed: nothing of it is worth
# waiting for, so its group is killed soon.
SERVER_FAILED_STOP_GRACE = 0.5 * SCALE
# From the ready line to the port it names accepting a connection. The line comes once the
# server accepts connections (docs/contract.md), so this only absorbs a server that prints
# it a moment before its listen call; a ready line naming a port nobody listens on fails the
# start after this long, not after SERVER_READY.
SERVER_READY_PORT = 1.0 * SCALE
# After SIGKILL, how long to wait for the kernel to reap the process.
SERVER_KILL_WAIT = 5.0 * SCALE
# One GET /health of a server declared ready = "health" while it starts (a look, repeated
# every POLL until SERVER_READY): a server that accepts answers it within milliseconds.
HEALTH_CHECK = 1.0 * SCALE
# Inside a server (harness/servers/command.py): from SIGTERM, how long requests in flight
# get to finish. Shorter than SERVER_STOP_GRACE, so the server exits before its group is
# killed.
SERVER_SHUTDOWN_GRACE = 2.0 * SCALE

# --- Client exchanges --------------------------------------------------------------------
# One client exchange with a well-behaved server on loopback (connect, then read).
CONNECT = 5.0 * SCALE
READ = 15.0 * SCALE
# The read deadline of a request that names none (harness/model.py: Timeouts).
REQUEST_READ = 10.0 * SCALE
# A client's read deadline against a scripted server, which answers at once or never
# (harness/cells.py: SCRIPTED_TIMEOUTS).
SCRIPTED_READ = 2.0 * SCALE

# How long a scripted server that never sends 100 (Continue) waits for the content of a
# request with Expect: 100-continue before it answers anyway (suites/test_expect.py): a client
# still holding its content back by then is taken for one that waits indefinitely (RFC 9110
# §10.1.1, SHOULD NOT); curl's own wait is 1 s (its --expect100-timeout).
EXPECT_CONTINUE_PATIENCE = 3.0 * SCALE

# --- Scripted servers (harness/scripted.py) ----------------------------------------------
# A single read or write on a scripted connection; also how long a scripted server waits
# for a request head before it plays its script anyway.
SCRIPTED_IO = 5.0 * SCALE
# Even a hanging scripted connection (Hang) is closed after this long.
SCRIPTED_HANG = 60.0 * SCALE
# After a failed TLS handshake, how long to wait at most for the client to close.
SCRIPTED_LINGER = 1.0 * SCALE
# Each connect that fills a listener's accept queue: one that takes this long is taken for
# a full queue (harness/scripted.py: full_backlog_listener).
BACKLOG_FILLER_CONNECT = 0.2 * SCALE

# --- The probe catalogue (harness/catalogue.py), and the suites' server probes -------------
# A server on loopback answers a probe within milliseconds. After this long of
# silence the probe stops reading: the server is waiting for bytes that will never come, or
# keeps the connection open. It is also the window in which a close that follows a response
# still counts as "closed": a server that answers and closes a little later is not kept open.
PROBE_QUIET = 1.0 * SCALE
# The pause before each staged part of a catalogue probe (the content after a head with
# Expect: 100-continue): the server reads the head alone, as it would from a client that
# waits for the 100 (Continue), and a server on loopback answers it well within this.
PROBE_STAGE = 0.2 * SCALE

# --- Other programs ----------------------------------------------------------------------
# A program asked one quick question: ``node --version`` (harness/registry.py), ``git
# rev-parse HEAD`` (harness/results.py).
PROGRAM_QUERY = 5.0 * SCALE

# How often a waiting loop looks again (for a port that accepts, a server told to stop).
# Not scaled: it is not a deadline, and a slower machine needs no slower looks.
POLL = 0.05

# --- The response catalogue (harness/responses.py) -----------------------------------------
# A pause between two writes of a scripted response, so that the client reads them apart
# (a head split inside a line, a chunk size apart from its data). Loopback delivers a write
# within microseconds; this is long enough for the client's read to return first.
SCRIPTED_GAP = 0.05 * SCALE

# --- Defaults as shipped (suites/test_defaults.py) ------------------------------------------
# How long a client as shipped is watched against a server that never answers: longer than
# the shortest default timeout documented in the matrix (httpx's 5 s), so that one is seen;
# a client still waiting then has "no timeout within" this long, and the harness ends the
# wait by closing the connection.
DEFAULT_TIMEOUT_WATCH = 6.0 * SCALE

# --- Keep-alive timers (suites/test_keepalive.py: keepalive.server.idle_timer) -----------------
# How far from its documented time an idle close may come and still be on time. Not scaled
# on CI: the close is timed by the server's own clock and seen by a read that returns at
# once, so a slow machine does not move it; a scaled tolerance (3 s) would hide node's
# extra second.
KEEPALIVE_TOLERANCE = 0.5
# How long an idle connection is watched for the server's own idle close: the longest timer
# the default run times (uvicorn's and node's documented 5 s) and 3 s more (8 s; 10 s on CI), so
# that a late close is timed rather than missed. A server still open then is "open through
# the watch"; that agrees with a documented timer longer than the watch (waitress, twisted,
# aiohttp.web), which this watch cannot time.
KEEPALIVE_WATCH = 5.0 + 1.0 * SCALE + 2.0
# The slow run's watch (marker ``slow``: keepalive.server.idle_timer_long) for a timer longer
# than KEEPALIVE_WATCH sees runs this much past the timer's latest on-time close, so that a
# late close is timed rather than missed.
KEEPALIVE_LONG_MARGIN = 2.0 * SCALE
# The longest watch the slow run keeps a cell waiting: waitress's 120 s and its 31 s of
# cleanup fit (twisted's 60 s too); aiohttp.web's 3630 s does not, and is recorded from its
# source instead. Below the cells' backstop (plugin/settings.py, CELL_TIMEOUT_S, 300 s).
KEEPALIVE_LONG_LIMIT = 240.0

# --- A server gone during the run (fixtures/servers.py) -----------------------------------
# After a cell failed: how long its server may still take to finish exiting. A crashing
# server closes its sockets (the client's error) a moment before the kernel reports its
# exit; only a server seen exiting is waited for (launcher._exiting), so a running one
# costs its failed and known cells nothing.
SERVER_EXIT_WAIT = 0.2 * SCALE

# --- The WebSocket opening handshake (suites/test_websocket.py) ----------------------------
# A WebSocket client's whole connection: the opening handshake, one echo per message and the
# closing handshake; the client's own open and close timeouts are set to it as well.
WEBSOCKET_EXCHANGE = 5.0 * SCALE

# --- Graceful shutdown (suites/test_lifecycle.py, harness/shutdown.py) ---------------------
# From SIGTERM to the new connection's attempt: a server that stops accepting at once has
# closed its listener well within this.
SHUTDOWN_SETTLE = 0.2 * SCALE
# The new connection's wait for an answer to GET /health while the server shuts down.
SHUTDOWN_ANSWER = 1.0 * SCALE
# How long the process is watched for its exit after SIGTERM: the servers' own shutdown
# grace (SERVER_SHUTDOWN_GRACE) and 2 s more, so that a late exit is timed, not missed.
SHUTDOWN_EXIT_WATCH = SERVER_SHUTDOWN_GRACE + 2.0 * SCALE
