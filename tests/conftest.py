import os

# Before anything imports TensorFlow: keep its C++ INFO/WARNING logs out of test output.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import sys

# Test helpers (harness.py, zoo_cases.py, shared_data.py) import as top-level modules from any test folder.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
# Recipes are scripts, not a package: tests import them (and their sibling common_flags) by name.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "recipes"))
