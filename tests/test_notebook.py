#!/usr/bin/env python3
"""Executes an example notebook as CI does, with jupyter-nbconvert and a fresh kernel, the package
imported from the build tree and matplotlib drawing off screen; any cell that raises fails it.
The executed copy goes to a temporary folder: the notebook in the tree is never rewritten.

    tests/test_notebook.py PACKAGE_DIR NOTEBOOK    (PACKAGE_DIR "": extension not built, exit 77)
"""
import os
import shutil
import subprocess
import sys
import tempfile

SKIP = 77  # meson's "skipped"
if len(sys.argv) < 3 or not sys.argv[1]:
    print("test_notebook: the extension was not built: skipped")
    sys.exit(SKIP)
package_dir, notebook = sys.argv[1:3]
nbconvert = shutil.which("jupyter-nbconvert")
if not nbconvert:
    print("test_notebook: no jupyter-nbconvert (Debian's jupyter-nbconvert, python3-ipykernel): skipped")
    sys.exit(SKIP)
env = dict(os.environ, MPLBACKEND="Agg")
env["PYTHONPATH"] = os.pathsep.join(p for p in (package_dir, env.get("PYTHONPATH")) if p)
with tempfile.TemporaryDirectory() as out:
    # the notebook's relative paths are from its own folder, as when opened in Jupyter
    p = subprocess.run([nbconvert, "--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=120",
                        "--output-dir", out, notebook], env=env, cwd=os.path.dirname(notebook))
sys.exit(p.returncode)
