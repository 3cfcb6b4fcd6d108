"""Runs a recipe's `main()` in-process with chosen flags, as `python recipes/<name>.py --flag=...` would."""

import importlib

from absl import flags
from absl.testing import flagsaver


def run_recipe(module_name, **overrides):
    """Imports recipes/<module_name>.py and calls its main() with its DEFAULTS plus `overrides`.

    Several recipes share flag names in one test process, so every common flag is set explicitly from
    the recipe's own DEFAULTS rather than trusting whichever recipe set the default last.
    """
    recipe = importlib.import_module(module_name)
    if not flags.FLAGS.is_parsed():
        flags.FLAGS.mark_as_parsed()
    with flagsaver.flagsaver(**{**recipe.DEFAULTS, **overrides}):
        return recipe.main([module_name])
