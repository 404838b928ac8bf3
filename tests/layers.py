#!/usr/bin/env python3
"""The layer rule (CONTRIBUTING.md), checked on the sources: every #include "..." of a file in a
layer names a header of that layer or of one below it, and never reaches around the include
directories with a path ("../x.h", "sim/run/x.h"). The build enforces the same through each
layer's include directories; this names the offending line when someone adds a directory."""
import os, re, sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# python/: the Python extension, at the top beside the cli (its build gives it sweep and below only)
layers = ["sim/core", "sim/input", "models", "sim/run", "sim/out", "sim/sweep", "sim/cli", "python"]
generated = {"ccs_config.h": "sim/core"}  # made by sim/core/meson.build
# a plug-in kind's registry list, included by its registry source only
allowed_paths = {"policies/registry.h", "arrivals/registry.h"}

owner = dict(generated)
for layer in layers:
    for dirpath, _, files in os.walk(os.path.join(root, layer)):
        for f in files:
            if f.endswith(".h"):
                owner.setdefault(f, layer)
bad = []
for rank, layer in enumerate(layers):
    for dirpath, _, files in os.walk(os.path.join(root, layer)):
        for f in sorted(files):
            if not f.endswith((".c", ".h")):
                continue
            path = os.path.join(dirpath, f)
            rel = os.path.relpath(path, root)
            for n, line in enumerate(open(path, encoding="utf-8"), 1):
                m = re.match(r'\s*#\s*include\s+"([^"]+)"', line)
                if not m:
                    continue
                inc = m.group(1)
                if "/" in inc:
                    if inc not in allowed_paths:
                        bad.append(f"{rel}:{n}: #include \"{inc}\": a path around the include directories")
                    continue
                o = owner.get(inc)
                if o is None:
                    bad.append(f"{rel}:{n}: #include \"{inc}\": no layer has this header")
                elif layers.index(o) > rank:
                    bad.append(f"{rel}:{n}: #include \"{inc}\": {o} is above {layer}")
for b in bad:
    print(b)
print(f"layers: {len(bad)} include(s) against the layer rule" if bad else
      "layers: every include looks down (" + " < ".join(layers) + ")")
sys.exit(1 if bad else 0)
