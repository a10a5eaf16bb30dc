"""The shipped Docker set-up can't run here (no Docker engine): check what it would run."""

import ast
import configparser
import unittest
from pathlib import Path

import yaml

from odoo.tests import BaseCase

DOCKER_DIR = Path(__file__).resolve().parents[2] / "docker"


class TestDockerCompose(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        if not DOCKER_DIR.is_dir():
            raise unittest.SkipTest(
                "the addon runs outside the project repository (e.g. in the Docker image)"
            )
        cls.compose = yaml.safe_load((DOCKER_DIR / "docker-compose.yml").read_text())
        cls.services = cls.compose["services"]

    def _mounts(self, service):
        """source → target of a service's volumes ("src:dst" or "src:dst:ro")."""
        return dict(volume.split(":")[:2] for volume in self.services[service]["volumes"])

    def _re2_requirement(self):
        """google-re2 as pinned in requirements-dev.txt: the image installs the same version."""
        requirements = (DOCKER_DIR.parent / "requirements-dev.txt").read_text().split()
        pinned = [line for line in requirements if line.startswith("google-re2==")]
        self.assertEqual(len(pinned), 1, "requirements-dev.txt pins google-re2")
        return pinned[0]

    def test_manifest_declares_the_python_libraries_the_image_installs(self):
        manifest = ast.literal_eval((DOCKER_DIR.parent / "storq_serials" / "__manifest__.py").read_text())
        script = " ".join(self.services["odoo"]["command"])
        for library in manifest["external_dependencies"]["python"]:
            self.assertIn(library, script, f"the image must install {library}")

    def test_official_images(self):
        self.assertEqual(self.services["odoo"]["image"], "odoo:18.0")
        self.assertEqual(self.services["tests"]["image"], "odoo:18.0")
        self.assertTrue(self.services["db"]["image"].startswith("postgres:"))

    def test_addon_and_config_are_mounted(self):
        for service in ("odoo", "tests"):
            mounts = self._mounts(service)
            self.assertEqual(mounts["../storq_serials"], "/mnt/extra-addons/storq_serials")
            self.assertEqual(mounts["./odoo.conf"], "/etc/odoo/odoo.conf")
            for source in mounts:
                if source.startswith("."):
                    self.assertTrue((DOCKER_DIR / source).exists(), f"{service} mounts a missing {source}")
        config = configparser.ConfigParser()
        config.read(DOCKER_DIR / "odoo.conf")
        self.assertIn("/mnt/extra-addons", config["options"]["addons_path"].split(","))

    def test_odoo_starts_with_the_module_and_demo_data(self):
        odoo = self.services["odoo"]
        script = " ".join(odoo["command"])
        self.assertIn("exec /entrypoint.sh odoo", script, "the image's entrypoint passes the db settings")
        self.assertIn("--init=storq_serials", script)
        self.assertIn("python-barcode", script, "labels need it")
        self.assertIn(self._re2_requirement(), script, "format patterns run on RE2")
        self.assertNotIn("--without-demo", script)
        self.assertIn("8069:8069", odoo["ports"])
        self.assertEqual(odoo["environment"]["HOST"], "db")
        self.assertEqual(odoo["depends_on"]["db"]["condition"], "service_healthy")

    def test_tests_service_runs_the_module_tests_on_a_fresh_database(self):
        tests = self.services["tests"]
        script = " ".join(tests["command"])
        self.assertIn("dropdb --if-exists", script)
        self.assertIn(
            "--init=storq_serials,repair,stock_dropshipping",
            script,
            "the repair-order path and Odoo's real dropship flow run too",
        )
        self.assertIn("--test-enable", script)
        self.assertIn("--test-tags=/storq_serials", script)
        self.assertIn("--stop-after-init", script)
        self.assertIn("hypothesis", script, "the property tests need it")
        self.assertIn(self._re2_requirement(), script, "format patterns run on RE2")
        self.assertEqual(tests["profiles"], ["tests"], "not started by a plain `up`")

    def test_credentials_agree(self):
        db_env = self.services["db"]["environment"]
        for service in ("odoo", "tests"):
            env = self.services[service]["environment"]
            self.assertEqual(
                (env["USER"], env["PASSWORD"]), (db_env["POSTGRES_USER"], db_env["POSTGRES_PASSWORD"])
            )
