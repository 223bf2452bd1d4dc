"""A lost `/ws` session says why and what to do (`seige_ws.SessionLostError`): the server's
idle timeout, its session limit, the server gone. Each against a real `seige serve`:
`test/training/python.test.ts` starts one with a 1 s idle timeout (SEIGE_TEST_IDLE_URL) and
one with a single session (SEIGE_TEST_SMALL_URL); the server-gone test starts and kills its
own (SEIGE_TEST_NODE, the Node that runs vitest).
"""

import os
import re
import subprocess
import time
import unittest

from helpers import TRAINING

from seige_ws import SessionLostError, WsSession

IDLE_URL = os.environ.get("SEIGE_TEST_IDLE_URL")
SMALL_URL = os.environ.get("SEIGE_TEST_SMALL_URL")
NODE = os.environ.get("SEIGE_TEST_NODE")
NO_SERVERS = "no seige servers: run through `npx vitest run test/training`"
ROOT = os.path.dirname(TRAINING)
OPTIONS = {"seed": 1, "stage": 1, "role": "red", "opponent": "scripted:allow-all"}
ACTION = {"agent_type": "red", "strategy": "persona_manipulation", "payload": "hello"}


@unittest.skipUnless(IDLE_URL and SMALL_URL and NODE, NO_SERVERS)
class SessionLostTest(unittest.TestCase):
    def test_an_idle_timeout_says_so_and_a_later_step_does_not_open_an_empty_session(self) -> None:
        s = WsSession(IDLE_URL or "")
        try:
            s.reset(OPTIONS)
            time.sleep(2.5)  # idle timeout 1 s, reaped within a second more
            with self.assertRaises(SessionLostError) as caught:
                s.step(ACTION)
            self.assertEqual(caught.exception.reason, "idle_timeout")
            message = str(caught.exception)
            self.assertIn("SEIGE_SESSION_IDLE_S", message)
            self.assertIn("reset()", message)
            # Not a bare error from a fresh session that has no episode: the same explanation.
            with self.assertRaises(SessionLostError) as again:
                s.step(ACTION)
            self.assertEqual(again.exception.reason, "idle_timeout")
            # reset starts over on a fresh session.
            self.assertIn("observation", s.reset(OPTIONS))
        finally:
            s.close()

    def test_the_session_limit_says_which_limit_and_how_to_raise_it(self) -> None:
        first, second = WsSession(SMALL_URL or ""), WsSession(SMALL_URL or "")
        try:
            first.reset(OPTIONS)
            with self.assertRaises(SessionLostError) as caught:
                second.reset(OPTIONS)
            self.assertEqual(caught.exception.reason, "capacity")
            self.assertIn("SEIGE_MAX_SESSIONS", str(caught.exception))
        finally:
            first.close()
            second.close()
        # Once the first is closed, the second gets the session.
        time.sleep(0.2)
        try:
            self.assertIn("observation", second.reset(OPTIONS))
        finally:
            second.close()

    def test_a_server_that_went_away_says_to_start_it_again(self) -> None:
        code = (
            'const { main } = await import("./src/cli.ts"); '
            'process.exitCode = await main(["serve", "--host", "127.0.0.1", "--port", "0"]);'
        )
        proc = subprocess.Popen(
            [NODE or "node", "--import", "tsx", "--input-type=module", "-e", code],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        s = None
        try:
            url = None
            assert proc.stderr is not None
            for line in proc.stderr:
                m = re.search(r"serving on (http://[\d.]+:\d+)", line)
                if m:
                    url = m.group(1)
                    break
            self.assertIsNotNone(url, "seige serve did not start")
            s = WsSession(url or "")
            s.reset(OPTIONS)
            proc.kill()
            proc.wait(timeout=30)
            with self.assertRaises(SessionLostError) as caught:
                s.step(ACTION)
            self.assertEqual(caught.exception.reason, "server_gone")
            self.assertIn("seige serve", str(caught.exception))
        finally:
            if s is not None:
                s.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=30)
            if proc.stderr is not None:
                proc.stderr.close()


if __name__ == "__main__":
    unittest.main()
