"""mqttgate: an MQTT broker with an EMQX-style management REST API.

The wheel installs the repository's top-level broker/, handlers/ and spec/ folders inside
this package, as mqttgate.broker, mqttgate.handlers and mqttgate.spec.
"""

import os

__version__ = "0.1.0"

# In a source checkout those folders stand beside this one: find them there too, so that
# the tests, bench/ and `python -m mqttgate` run from a checkout as from the wheel.
_here = os.path.dirname(os.path.abspath(__file__))
_checkout = os.path.dirname(_here)
if not os.path.isdir(os.path.join(_here, "broker")) and os.path.isfile(os.path.join(_checkout, "setup.cfg")):
    __path__.append(_checkout)
