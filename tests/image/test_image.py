"""The network-mode image (Dockerfile, compose.yaml), tested as far as these machines allow:
podman builds images here but cannot run containers. So the image is built (scripts/build-image),
its configuration is checked, its filesystem is exported and extracted, and its own entrypoint,
command and health check's command are run from there: in a network and mount namespace of their
own (scripts/test-image), chrooted into the image's filesystem, as the image's user, with the
image's environment and compose.yaml's settings. Then docs/deploy.md is followed: a human and an
agent, each in its own home outside the image, reach the first scoped secret over TLS checked
against the image's CA for the name compose.yaml certifies; a restart keeps the data.

Run by scripts/test-image (which makes the namespaces); HQ_VAULT_BIN is the CLI outside."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import tempfile
import time
import unittest
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TAG = os.environ.get("HQ_IMAGE_TAG", "localhost/hq-vault:test")
CLI = Path(os.environ["HQ_VAULT_BIN"])
PASS = "image test passphrase"
SECRET = "AKIA-from-the-image"
AS_ROOT = os.geteuid() == 0 and os.environ.get("HQ_IMAGE_MAPPED_ROOT") != "1"


def sh(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(list(args), capture_output=True, text=True, timeout=120, **kw)


def compose_environment() -> dict:
    """The hq-vault service's `environment:` in compose.yaml (its uncommented KEY: value lines)."""
    text = (ROOT / "compose.yaml").read_text(encoding="utf-8")
    block = text.split("    environment:\n", 1)[1]
    env = {}
    for line in block.splitlines():
        if not line.startswith("      "):
            break
        m = re.match(r"^      ([A-Z_]+): (\S+)$", line)
        if m:
            env[m.group(1)] = m.group(2)
    return env


class Image(unittest.TestCase):
    @classmethod
    def setUpClass(cls) -> None:
        inspect = sh("podman", "image", "inspect", TAG)
        assert inspect.returncode == 0, inspect.stderr
        cls.meta = json.loads(inspect.stdout)[0]
        cls.tmp = Path(tempfile.mkdtemp(prefix="hq-image-"))
        cls.rootfs = cls.tmp / "rootfs"
        cls.rootfs.mkdir()
        name = f"hq-image-test-{os.getpid()}"
        created = sh("podman", "create", "--name", name, TAG)
        assert created.returncode == 0, created.stderr
        try:
            tar = cls.tmp / "image.tar"
            with open(tar, "wb") as out:
                assert subprocess.run(["podman", "export", name], stdout=out, timeout=120).returncode == 0
        finally:
            sh("podman", "rm", "--force", name)
        with tarfile.open(tar) as t:
            cls.members = sorted(m.name.rstrip("/") for m in t.getmembers())
            t.extractall(cls.rootfs, numeric_owner=True, filter="fully_trusted")
        cls.env = {e.split("=", 1)[0]: e.split("=", 1)[1] for e in cls.meta["Config"]["Env"]}
        cls.env.update(compose_environment())
        # compose.yaml's secret, where compose mounts it, readable by the image's user only.
        secrets = cls.rootfs / "run/secrets"
        secrets.mkdir(parents=True)
        passfile = secrets / "hq_vault_passphrase"
        passfile.write_text(PASS + "\n")
        passfile.chmod(0o400)
        if AS_ROOT:
            os.chown(passfile, 65532, 65532)
        # The name compose.yaml certifies resolves to this namespace's loopback.
        cls.name = cls.env["HQ_VAULT_TLS_NAMES"].split(",")[0]
        cls.url = f"https://{cls.name}:13100"
        cls.server = None

    @classmethod
    def tearDownClass(cls) -> None:
        if cls.server and cls.server.poll() is None:
            cls.server.kill()
            cls.server.wait()
        shutil.rmtree(cls.tmp, ignore_errors=True)

    # -- the image's own commands, run from its filesystem ------------------------------------

    def in_image(self, argv: list, **kw):
        """`argv` (an absolute path in the image first) chrooted into the image's filesystem, as
        its user, with its environment and compose.yaml's, and nothing of this process's."""
        user = ["--userspec", self.meta["Config"]["User"]] if AS_ROOT else []
        return ["chroot", *user, str(self.rootfs), *argv], dict(self.env)

    def image_run(self, argv: list, stdin: str | None = None) -> subprocess.CompletedProcess:
        cmd, env = self.in_image(argv)
        return subprocess.run(cmd, env=env, input=stdin, capture_output=True, text=True, timeout=120)

    def start(self) -> None:
        """The image's ENTRYPOINT + CMD, until its first line says it listens."""
        cfg = self.meta["Config"]
        cmd, env = self.in_image(cfg["Entrypoint"] + cfg["Cmd"])
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        first = server.stdout.readline()
        self.assertIn("listening on https://0.0.0.0:13100 (unlocked)", first, server.stderr.read() if not first else first)
        type(self).server = server

    def stop(self) -> None:
        self.server.send_signal(signal.SIGTERM)
        self.assertEqual(self.server.wait(timeout=60), 0)
        self.server.stdout.close()
        self.server.stderr.close()
        type(self).server = None

    def health(self) -> subprocess.CompletedProcess:
        """The image's HEALTHCHECK command."""
        test = self.meta["Healthcheck"]["Test"]
        self.assertEqual(test[0], "CMD")
        return self.image_run(test[1:])

    # -- clients outside the image -------------------------------------------------------------

    def outside(self, home: str, *args: str, stdin: str | None = None) -> str:
        env = {"PATH": os.environ["PATH"], "HQ_VAULT_HOME": str(self.tmp / home), "HQ_VAULT_URL": self.url,
               "HQ_VAULT_CA_CERT": str(self.rootfs / "data/tls/ca.pem")}
        r = subprocess.run([str(CLI), *args], env=env, input=stdin, capture_output=True, text=True, timeout=120)
        self.assertEqual(r.returncode, 0, f"{args}: {r.stderr}")
        return r.stdout.strip()

    # -- the tests -----------------------------------------------------------------------------

    def test_1_configuration(self) -> None:
        cfg = self.meta["Config"]
        self.assertEqual(cfg["Entrypoint"], ["/hq-vault"])
        self.assertEqual(cfg["Cmd"], ["serve", "--network"])
        self.assertEqual(cfg["User"], "65532:65532")
        self.assertIn("/data", cfg["Volumes"])
        self.assertIn("13100/tcp", cfg["ExposedPorts"])
        self.assertEqual(self.env["HQ_VAULT_HOME"], "/data")
        self.assertEqual(self.env["HQ_VAULT_LISTEN"], "0.0.0.0:13100")
        self.assertEqual(self.meta["Healthcheck"]["Test"], ["CMD", "/hq-vault", "health"])
        # FROM scratch: the binary and the data folder, and nothing else podman did not add.
        own = [m for m in self.members if m not in ("etc", "etc/hosts", "etc/resolv.conf", "run", "run/.containerenv",
                                                    "dev", "proc", "sys", "etc/hostname")]
        self.assertEqual(own, ["data", "hq-vault"], self.members)
        # The volume's folder is the server's (it makes it 0700 at its first start: test 2).
        if AS_ROOT:
            st = (self.rootfs / "data").stat()
            self.assertEqual((st.st_uid, st.st_gid), (65532, 65532))
        # Static: nothing to load it with in an empty image.
        elf = sh("readelf", "--program-headers", str(self.rootfs / "hq-vault"))
        self.assertNotIn("program interpreter", elf.stdout)

    def test_2_serves_the_walk_through_and_keeps_its_data(self) -> None:
        # Nothing runs yet: the health check fails, and says why.
        h = self.health()
        self.assertNotEqual(h.returncode, 0)
        self.assertIn("nothing answers", h.stderr)
        # The first start creates the vault with compose.yaml's passphrase file and unlocks it.
        self.start()
        h = self.health()
        self.assertEqual((h.returncode, h.stdout.strip()), (0, "ok (unlocked)"), h.stderr)
        self.assertEqual((self.rootfs / "data").stat().st_mode & 0o777, 0o700, "the home is the server's only")
        # No bootstrap token: the image's own CLI is the owner through the home socket only.
        self.assertFalse((self.rootfs / "data/token").exists())
        sock = (self.rootfs / "data/serve.sock").stat()
        self.assertEqual(sock.st_mode & 0o777, 0o600)
        # The certificate names compose.yaml's HQ_VAULT_TLS_NAMES: clients outside check it.
        self.outside("alice", "identity", "create", "--name", "alice", "--type", "human")
        r = self.image_run(["/hq-vault", "org", "create", "indigo", "--admin", "alice"])
        self.assertEqual(r.returncode, 0, r.stderr)
        self.outside("alice", "login", "--identity", "alice")
        self.outside("alice", "project", "create", "--org", "indigo", "hq-cloud")
        self.outside("alice", "store", "org/indigo/project/hq-cloud/aws/key", stdin=SECRET)
        self.outside("bot", "identity", "create", "--name", "deploy-bot", "--type", "agent")
        self.outside("bot", "login", "--identity", "deploy-bot")
        request = self.outside("bot", "access-requests", "create", "--org", "indigo", "--project", "hq-cloud",
                               "--role", "readonly", "--justification", "deploys")
        self.outside("alice", "access-requests", "approve", request)
        self.assertEqual(self.outside("bot", "get", "org/indigo/project/hq-cloud/aws/key"), SECRET)
        # The image's CLI locks and unlocks over the home socket, with no token.
        for args, out in ((["lock"], "Locked"), (["unlock", "--passphrase-stdin"], "Unlocked")):
            r = self.image_run(["/hq-vault", *args], stdin=PASS + "\n")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn(out, r.stdout)
        # Stopped: the socket goes; started again on the same data: the agent reads again.
        self.stop()
        self.assertFalse((self.rootfs / "data/serve.sock").exists())
        self.start()
        self.assertEqual(self.outside("bot", "get", "org/indigo/project/hq-cloud/aws/key"), SECRET)
        self.stop()
        # No secret value or passphrase in anything the server wrote.
        for f in (self.rootfs / "data").rglob("*"):
            if f.is_file():
                data = f.read_bytes()
                self.assertNotIn(SECRET.encode(), data, f)
                self.assertNotIn(PASS.encode(), data, f)


if __name__ == "__main__":
    unittest.main(verbosity=2)
