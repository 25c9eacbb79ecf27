"""What a page's first element needs, imported whole before any session draws one.

Each session's script runs in a thread of its own. plotly's JSON encoder looks numpy and pandas
up in `sys.modules` without importing them, so a chart drawn while another session's thread was
still importing numpy met a half-made module ("partially initialized module 'numpy' has no
attribute 'ndarray'"): on a freshly started server, 3 of 8 pages opened at once showed an error
instead of the plan. The app imports this module before its first chart: Python's import lock
makes every other thread that imports it wait until it has run to its end, so by the time any
session draws a chart these modules are complete. (The planner's own modules, which no chart
peeks at, load after the first chart is on its way.)"""

import numpy  # noqa: F401
import pandas  # noqa: F401
import plotly.graph_objects  # noqa: F401
import plotly.io  # noqa: F401
