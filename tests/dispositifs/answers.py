"""Valid answers for any schema: the product's own example generator (dispositifs.engine.exemples)."""

from dispositifs.engine.exemples import *  # noqa: F403
from dispositifs.engine.exemples import valid_answers  # noqa: F401
